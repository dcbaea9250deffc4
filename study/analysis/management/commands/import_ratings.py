"""``import_ratings CSV --study NAME [--create]``: ratings made elsewhere, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.analysis.services import ImportRatingsError, import_ratings


class Command(BaseCommand):
    help = (
        "Load ratings from a CSV file with columns rater,dataset,image,method,score "
        "(optional repeat, position, response_ms, submitted_at). Every row is checked first; "
        "any error (reported with its line) imports nothing. With --create the study is "
        "made from the file alone (datasets, images and methods by name, no image files)."
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
                report = import_ratings(
                    source=handle,
                    source_name=str(path),
                    study_name=options["study"],
                    create=options["create"],
                    scale=options["scale"],
                )
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except ImportRatingsError as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        what = "created study" if report.created else "study"
        self.stdout.write(
            f"{what} {report.study.name!r}: {report.ratings} ratings of "
            f"{len(report.raters)} raters imported"
        )
        if report.datasets_created:
            self.stdout.write(
                "datasets created without image files: " + ", ".join(report.datasets_created)
            )
        if report.ignored_columns:
            self.stdout.write("ignored columns: " + ", ".join(report.ignored_columns))
