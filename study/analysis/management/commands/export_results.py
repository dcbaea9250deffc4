"""``export_results STUDY --out DIR [--exclude-screened]``: the study's tables, figure, manifest.

What is written depends on the study's kind (``study.analysis.kinds``): ACR studies
their ratings, MOS, Wilcoxon tests, the paper's tables and Figure 5; two-image
studies (pairwise, 2afc-real) their choices, binomial tests, scale or fool rate.
"""

from __future__ import annotations

from typing import TypedDict, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from study.analysis import kinds
from study.analysis.kinds import KindError
from study.protocol.commands import study_named


class _Options(TypedDict):
    """The options ``add_arguments`` declares, as argparse hands them to ``handle``."""

    study: str
    out: str
    exclude_screened: bool
    exclude_simulated: bool
    exclude_rejected: bool
    overwrite: bool
    alpha: float
    zero_method: str
    ci: str


class Command(BaseCommand):
    help = (
        "Write the export of a study into a new folder (all files or none). ACR studies: "
        "ratings.csv, mos.csv, wilcoxon.csv, raters.csv, payments.csv, subject_model.csv, "
        "retest.csv, table1.tex, table2.tex, tables.md, figure5.png/.pdf and manifest.json. "
        "Pairwise studies: choices.csv, pairwise.csv, scale.csv, tables.md/.tex, "
        "scale.png/.pdf and manifest.json; 2afc-real studies: choices.csv, foolrate.csv, "
        "tables.md/.tex, foolrate.png/.pdf and manifest.json. --exclude-screened, "
        "--exclude-rejected, --zero-method and --ci are for ACR studies only: a two-image "
        "study refuses them (it has no rater screening, Wilcoxon test or MOS interval)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument(
            "--out", required=True, help="folder to write (created; an existing one must be empty)"
        )
        parser.add_argument(
            "--exclude-screened",
            action="store_true",
            help="leave out the raters the screening flags (listed in manifest.json; ACR only)",
        )
        parser.add_argument(
            "--exclude-simulated", action="store_true", help="leave out simulated raters"
        )
        parser.add_argument(
            "--exclude-rejected",
            action="store_true",
            help="leave out the raters the study's [quality] reject_if rejects (listed in "
            "raters.csv, payments.csv and manifest.json; ACR only)",
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="replace a non-empty --out folder"
        )
        parser.add_argument("--alpha", type=float, default=0.05, help="significance level")
        parser.add_argument(
            "--zero-method",
            choices=["wilcox", "pratt", "zsplit"],
            default="wilcox",
            help="Wilcoxon handling of zero differences (default wilcox: dropped; ACR only)",
        )
        parser.add_argument(
            "--ci",
            choices=["t", "bootstrap"],
            default="t",
            help="MOS confidence interval (default t; bootstrap over raters and images; ACR only)",
        )

    def handle(self, *args: object, **given: object) -> None:
        options = cast(_Options, given)
        study = study_named(options["study"])
        if not 0 < options["alpha"] < 1:
            raise CommandError(f"--alpha: between 0 and 1, got {options['alpha']}")
        try:
            summary = kinds.of(study).export_results(study, options["out"], given)
        except KindError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary)
