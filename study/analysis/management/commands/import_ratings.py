"""``import_ratings CSV --study NAME [--create]``: answers made elsewhere, all or nothing.

The study's kind (``study.analysis.kinds``) reads the file: ACR ratings
(``rater,dataset,image,method,score``) or two-image choices
(``rater,dataset,image,method_a,method_b,winner``). Without an existing study the
file's header picks the kind.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.analysis import kinds
from study.analysis.kinds import KindError
from study.protocol.models import Study


class Command(BaseCommand):
    help = (
        "Load ratings from a CSV file with columns rater,dataset,image,method,score "
        "(optional repeat, position, response_ms, submitted_at). Every row is checked first; "
        "any error (reported with its line) imports nothing. With --create the study is "
        "made from the file alone (datasets, images and methods by name, no image files). "
        "Pairwise and 2afc-real studies take choices instead: rater,dataset,image,method_a,"
        "method_b,winner (or an exported choices.csv: left,right,chosen; optional position, "
        "response_ms, submitted_at), method_a shown on the left; for 2afc-real one method of "
        "each row is the reference hr. --create is for ACR ratings only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv", help="ratings CSV file")
        parser.add_argument("--study", required=True, help="study name")
        parser.add_argument(
            "--create", action="store_true", help="create the study (it must not exist)"
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=4,
            help="upscaling factor recorded for datasets --create makes (default 4)",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["csv"])
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
        study = Study.objects.filter(name=options["study"].strip()).first()
        kind = kinds.of(study) if study is not None else kinds.for_header(_header(text))
        try:
            summary = kind.import_ratings(io.StringIO(text, newline=""), str(path), study, options)
        except KindError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary)


def _header(text: str) -> list[str]:
    """The file's column names as the importers compare them (trimmed, lower case)."""
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []
    return [name.strip().lstrip("\ufeff").lower() for name in first]
