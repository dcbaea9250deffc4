"""``export_results STUDY --out DIR [--exclude-screened]``: tables, figure 5 and a manifest."""

from __future__ import annotations

from typing import TypedDict, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from study.analysis.exports import ExportError, export_results
from study.analysis.pipeline import AnalysisOptions
from study.protocol.selectors import StudyNotFound, get_study


class _Options(TypedDict):
    """The options ``add_arguments`` declares, as argparse hands them to ``handle``."""

    study: str
    out: str
    exclude_screened: bool
    exclude_simulated: bool
    overwrite: bool
    alpha: float
    zero_method: str
    ci: str


class Command(BaseCommand):
    help = (
        "Write ratings.csv, mos.csv, wilcoxon.csv, raters.csv, subject_model.csv, retest.csv, "
        "table1.tex, table2.tex, tables.md, figure5.png/.pdf and manifest.json of a study "
        "into a new folder (all files or none)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("study", help="study name")
        parser.add_argument(
            "--out", required=True, help="folder to write (created; an existing one must be empty)"
        )
        parser.add_argument(
            "--exclude-screened",
            action="store_true",
            help="leave out the raters the screening flags (listed in manifest.json)",
        )
        parser.add_argument(
            "--exclude-simulated", action="store_true", help="leave out simulated raters"
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="replace a non-empty --out folder"
        )
        parser.add_argument("--alpha", type=float, default=0.05, help="significance level")
        parser.add_argument(
            "--zero-method",
            choices=["wilcox", "pratt", "zsplit"],
            default="wilcox",
            help="Wilcoxon handling of zero differences (default wilcox: dropped)",
        )
        parser.add_argument(
            "--ci",
            choices=["t", "bootstrap"],
            default="t",
            help="MOS confidence interval (default t; bootstrap over raters and images)",
        )

    def handle(self, *args: object, **given: object) -> None:
        options = cast(_Options, given)
        try:
            study = get_study(name=options["study"])
        except StudyNotFound as exc:
            raise CommandError(str(exc)) from None
        if not 0 < options["alpha"] < 1:
            raise CommandError(f"--alpha: between 0 and 1, got {options['alpha']}")
        choice = AnalysisOptions(
            exclude_screened=options["exclude_screened"],
            exclude_simulated=options["exclude_simulated"],
            alpha=options["alpha"],
            zero_method=options["zero_method"],
            ci=options["ci"],
        )
        try:
            analysis = export_results(
                study=study, out=options["out"], options=choice, overwrite=options["overwrite"]
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        used = analysis.ratings["rater"].nunique()
        excluded = ", ".join(analysis.excluded) or "none"
        self.stdout.write(
            f"exported {study.name!r} to {options['out']}: {len(analysis.ratings)} ratings "
            f"of {used} raters; excluded: {excluded}"
        )
