"""``invite_raters STUDY [--count N] [--out FILE.csv]``: the links of the study's open places.

A place is a rater nobody has opened the link of (``selectors.unopened_raters``):
``create_study`` makes ``raters`` of them, ``--count N`` adds N more (each with a new
plan), and the command lists every place still unopened, new ones included, so the
CSV always holds exactly the links that may still be handed out.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.protocol.commands import study_named
from study.protocol.config import MAX_RATERS
from study.protocol.management.commands._common import output_file, stdout_of
from study.protocol.plans import PlanError
from study.protocol.selectors import unopened_raters
from study.protocol.services import ProtocolError, add_raters, write_rater_links


class Command(BaseCommand):
    help = (
        "Write CSV rater,url of the study's places nobody has opened (SITE_URL/r/<token>/) "
        "to --out or stdout; --count N first adds N places (raters with a new randomised "
        "plan and an unguessable link) to a draft or open study; --all lists every rater."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument(
            "--count",
            type=int,
            default=0,
            help=f"places to add before listing, at most {MAX_RATERS} (default 0)",
        )
        parser.add_argument("--out", default=None, help="CSV file for the links (default stdout)")
        parser.add_argument(
            "--all", action="store_true", help="list every rater's link, not only unopened places"
        )

    def handle(self, *args, **options) -> None:
        study = study_named(options["study"])
        count = options["count"]
        if not 0 <= count <= MAX_RATERS:
            raise CommandError(f"--count: 0 to {MAX_RATERS} places to add, got {count}")
        new = []
        if count:
            try:
                new = add_raters(study=study, count=count)
            except (ProtocolError, PlanError) as exc:
                raise CommandError(str(exc)) from None
        if options["all"]:
            raters = list(study.raters.order_by("number"))
        else:
            raters = unopened_raters(study=study)
        with output_file(options["out"], stdout_of(self)) as out:
            rows = write_rater_links(raters, out)
        if options["out"]:
            self.stdout.write(
                f"{len(new)} place(s) added to {study.name!r}; {rows} link(s) in {options['out']}"
            )
