"""``import_outputs DATASET METHOD DIR --pattern P``: a method's published outputs.

The import itself is the catalog's (``catalog.services.import_outputs``); the command
lives with the protocol because it must never replace an output a study has rated,
and the catalog, below the studies, cannot ask that: the protocol passes it the check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.catalog.management.commands._common import finish, progress_bar
from study.catalog.services import CatalogError, import_outputs, read_rename_csv
from study.protocol.selectors import output_has_ratings


class Command(BaseCommand):
    help = (
        "Import another method's outputs for a dataset (e.g. SelfExSR results from a "
        "paper's material), measured against the stored HR. Missing, extra and "
        "mismatched files are listed by name; an existing output is kept unless "
        "--replace. Exits non-zero when nothing could be imported or an image failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dataset", help="an imported dataset, e.g. Set5")
        parser.add_argument(
            "method", help="registry key (srcnn, srgan-vgg54, ...) or an external name (selfexsr)"
        )
        parser.add_argument("directory", help="folder holding the outputs")
        parser.add_argument(
            "--pattern", required=True, help="file names, e.g. '{name}_SRF_4_SelfExSR.png'"
        )
        parser.add_argument(
            "--rename", default=None, help="CSV with columns from,to mapping file names to images"
        )
        parser.add_argument("--label", default=None, help="display label of an external method")
        parser.add_argument(
            "--replace", action="store_true", help="replace existing outputs of this method"
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="processes for the pixel work (default 2)"
        )

    def handle(self, *args, **options) -> None:
        try:
            rename = read_rename_csv(options["rename"]) if options["rename"] else None
            report = import_outputs(
                dataset=options["dataset"],
                method=options["method"],
                directory=options["directory"],
                pattern=options["pattern"],
                rated=lambda output_id: output_has_ratings(output_id=output_id),
                rename=rename,
                label=options["label"],
                replace=options["replace"],
                workers=options["workers"],
                progress=progress_bar(f"{options['dataset']}/{options['method']}"),
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from None
        finish(self, report)
