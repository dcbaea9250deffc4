"""``import_dataset NAME DIR``: HR images (mod-cropped), their LR and the cheap outputs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.catalog.management.commands._common import finish, progress_bar
from study.catalog.models import Dataset
from study.catalog.services import CatalogError, import_dataset


class Command(BaseCommand):
    help = (
        "Import a folder of HR images as a dataset: HR mod-cropped to the scale, LR from "
        "--lr-pattern files or made with MATLAB bicubic, and the nearest, bicubic and hr "
        "outputs with their PSNR / SSIM. Re-importing the same folder changes nothing. "
        "Exits non-zero when nothing could be imported or an image failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="dataset name, e.g. Set5")
        parser.add_argument("directory", help="folder holding the HR (and LR) images")
        parser.add_argument("--scale", type=int, default=4, help="upscaling factor (default 4)")
        parser.add_argument(
            "--pattern",
            default="{name}.png",
            help="HR file names; {name} is the image name (default '{name}.png')",
        )
        parser.add_argument(
            "--lr-pattern",
            default=None,
            help="LR file names, e.g. '{name}_SRF_4_LR.png' (default: made with imresize)",
        )
        parser.add_argument(
            "--role", choices=Dataset.Role.values, default=Dataset.Role.TEST, help="default test"
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="processes for the pixel work (default 2)"
        )

    def handle(self, *args, **options) -> None:
        try:
            report = import_dataset(
                name=options["name"],
                directory=options["directory"],
                scale=options["scale"],
                pattern=options["pattern"],
                lr_pattern=options["lr_pattern"],
                role=options["role"],
                workers=options["workers"],
                progress=progress_bar(options["name"]),
            )
        except CatalogError as exc:
            raise CommandError(str(exc)) from None
        finish(self, report)
