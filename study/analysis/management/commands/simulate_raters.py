"""``simulate_raters STUDY --count N --seed S [--quality METHOD=VALUE ...]``: synthetic raters."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.analysis.services import SimulationError, parse_qualities, simulate_raters
from study.protocol.commands import study_named


class Command(BaseCommand):
    help = (
        "Add simulated raters (flagged as simulated everywhere) with plans from the study's "
        "plan builder, scored as quality + rater bias + noise, rounded to 1..5. Default "
        "qualities are the SRGAN paper's MOS for its methods and datasets."
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
            help="planted mean score of a method on every dataset (1..5)",
        )
        parser.add_argument(
            "--bias-sd", type=float, default=0.3, help="spread of rater biases (0.3)"
        )
        parser.add_argument("--noise-sd", type=float, default=0.7, help="per-rating noise (0.7)")

    def handle(self, *args, **options) -> None:
        study = study_named(options["study"])
        try:
            report = simulate_raters(
                study=study,
                count=options["count"],
                seed=options["seed"],
                quality=parse_qualities(options["quality"]),
                bias_sd=options["bias_sd"],
                noise_sd=options["noise_sd"],
            )
        except SimulationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{len(report.raters)} simulated raters ({report.raters[0]}-{report.raters[-1]}) "
            f"added to {study.name!r} with {report.ratings} ratings"
        )
