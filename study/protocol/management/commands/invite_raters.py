"""``invite_raters STUDY --count N [--out FILE.csv]``: more raters, each with a plan and a link."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.protocol.commands import study_named
from study.protocol.config import MAX_RATERS
from study.protocol.management.commands._common import output_file, stdout_of
from study.protocol.plans import PlanError
from study.protocol.services import ProtocolError, add_raters, write_rater_links


class Command(BaseCommand):
    help = (
        "Add raters to a draft or open study, each with a new randomised plan and an "
        "unguessable link (SITE_URL/r/<token>/); writes CSV rater,url for them "
        "(with --all, for every rater of the study) to --out or stdout."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument(
            "--count", type=int, default=0, help=f"raters to add, at most {MAX_RATERS} (default 0)"
        )
        parser.add_argument("--out", default=None, help="CSV file for the links (default stdout)")
        parser.add_argument(
            "--all", action="store_true", help="list every rater's link, not only the new ones"
        )

    def handle(self, *args, **options) -> None:
        study = study_named(options["study"])
        count = options["count"]
        if not 0 <= count <= MAX_RATERS or (count == 0 and not options["all"]):
            raise CommandError(
                f"--count: 1 to {MAX_RATERS}, got {count} (or use --all to list the links)"
            )
        new = []
        if count:
            try:
                new = add_raters(study=study, count=count)
            except (ProtocolError, PlanError) as exc:
                raise CommandError(str(exc)) from None
        raters = study.raters.order_by("number") if options["all"] else new
        with output_file(options["out"], stdout_of(self)) as out:
            rows = write_rater_links(raters, out)
        if options["out"]:
            self.stdout.write(
                f"{len(new)} rater(s) added to {study.name!r}; {rows} link(s) in {options['out']}"
            )
