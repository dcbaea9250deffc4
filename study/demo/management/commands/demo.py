"""``manage.py demo [--serve]``: set up the demo study and, with --serve, serve the site."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from study.demo.services import run_demo


def site_url(port: int) -> str:
    """Where the printed links point: ``SITE_URL`` when set (``make demo`` sets it from
    ``PORT``, so the admin's and ``invite_raters``' links agree), else the served port."""
    if os.environ.get("SITE_URL"):
        return str(settings.SITE_URL)
    return f"http://127.0.0.1:{port}"


class Command(BaseCommand):
    help = (
        "Import real photographs, generate outputs with the shipped models, build and open a "
        "small study with calibration and a retest block, simulate two raters, export, and "
        "print the links. Idempotent: a second run reuses what exists."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--serve", action="store_true", help="serve the site afterwards")
        parser.add_argument("--port", type=int, default=8000, help="port for --serve (8000)")
        parser.add_argument(
            "--export-dir",
            default=str(settings.BASE_DIR / "exports" / "demo"),
            help="where the export lands (./exports/demo)",
        )

    def handle(self, *args, **options) -> None:
        work_dir = Path(settings.MEDIA_ROOT).parent / ".demo-images"
        result = run_demo(
            work_dir=work_dir,
            export_dir=Path(options["export_dir"]).resolve(),
            admin_password=os.environ.get("DEMO_ADMIN_PASSWORD") or None,
            say=self.stdout.write,
        )
        base = site_url(options["port"])
        links = [link.replace(settings.SITE_URL, base, 1) for link in result.rater_links]
        password = result.admin_password or "unchanged (set DEMO_ADMIN_PASSWORD to reset it)"
        lines = [
            "",
            f"Study {result.study.name!r} is open: "
            f"{result.study.raters.count()} raters, {len(result.methods) + 3} methods.",
            "Rate as a participant:",
            *[f"  {link}" for link in links],
            f"Dashboard: {base}/dashboard/studies/{result.study.pk}/",
            "Compare pairs (the pairwise study):",
            *[f"  {link.replace(settings.SITE_URL, base, 1)}" for link in result.pairwise_links],
            f"  staff login: {result.admin_user} / {password}",
            f"More links: SITE_URL={base} .venv/bin/python manage.py invite_raters "
            f"{result.study.name} --count 5 --out links.csv",
            f"Export (CSV, LaTeX, Markdown, Figure 5): {result.export_dir}",
        ]
        self.stdout.write("\n".join(lines))
        if options["serve"]:
            served = f"http://127.0.0.1:{options['port']}"
            self.stdout.write(f"\nServing on {served} (Ctrl+C to stop)\n")
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
