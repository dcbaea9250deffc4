"""``simulate_raters STUDY --count N --seed S [--quality METHOD=VALUE ...]``: synthetic raters.

The study's kind (``study.analysis.kinds``) simulates them: ACR raters score their
plans, two-image raters (pairwise, 2afc-real) are Thurstone observers choosing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.analysis import kinds
from study.analysis.kinds import KindError
from study.protocol.commands import study_named


class Command(BaseCommand):
    help = (
        "Add simulated raters (flagged as simulated everywhere) with plans from the study's "
        "plan builder. ACR studies: the study's unopened places are filled first, then "
        "raters added; scored as quality + rater bias + noise, rounded to 1..5; "
        "default qualities are the SRGAN paper's MOS for its methods and datasets. Pairwise "
        "and 2afc-real studies: Thurstone Case V observers choosing by planted scores in JOD "
        "(--quality METHOD=JOD; default: each arm's methods at 0, 1, 2, ... JOD in the order "
        "the arm lists them, and for 2afc-real the reference hr 1 JOD above the arm's last "
        "method); a full design answers the raters' written trials, an active design draws "
        "each trial with the live page's sampler. --bias-sd and --noise-sd are for ACR only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument("--count", type=int, required=True, help="raters to add")
        parser.add_argument("--seed", type=int, required=True, help="random seed")
        parser.add_argument(
            "--quality",
            nargs="+",
            default=[],
            metavar="METHOD=VALUE",
            help="planted score of a method on every dataset (ACR: mean score 1..5; "
            "two-image kinds: JOD)",
        )
        # Defaults stay None here so a two-image study can tell that they were given.
        parser.add_argument(
            "--bias-sd", type=float, default=None, help="spread of rater biases (0.3; ACR only)"
        )
        parser.add_argument(
            "--noise-sd", type=float, default=None, help="per-rating noise (0.7; ACR only)"
        )

    def handle(self, *args, **options) -> None:
        study = study_named(options["study"])
        try:
            summary = kinds.of(study).simulate_raters(study, options)
        except KindError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary)
