"""``export_plans STUDY --out FILE.csv``: every rater's plan, for audit or pre-registration."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from study.protocol.commands import study_named
from study.protocol.management.commands._common import output_file, stdout_of
from study.protocol.selectors import write_plans_csv


class Command(BaseCommand):
    help = (
        "Write every rater's plan as CSV with columns "
        "rater,position,phase,dataset,image,method,repeat (phase: calibration or rating)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument("--out", default=None, help="CSV file (default stdout)")

    def handle(self, *args, **options) -> None:
        study = study_named(options["study"])
        with output_file(options["out"], stdout_of(self)) as out:
            rows = write_plans_csv(study=study, out=out)
        if options["out"]:
            self.stdout.write(f"{rows} plan items of {study.name!r} written to {options['out']}")
