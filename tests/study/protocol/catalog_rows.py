"""Synthetic catalog rows for protocol tests: datasets, images and outputs without files.

Study building only reads rows, so these tests need no pixels; the shared-dataset
test builds the same design from real imports.
"""

from __future__ import annotations

from study.catalog.models import Dataset, Output, SourceImage
from study.catalog.services import ensure_method
from study.srgan2017 import METHODS

PRESET_SIZES = {"Set5": 5, "Set14": 14, "BSD100": 100, "BSD300-train": 30}


def make_dataset(
    name: str, images: int, methods: list[str], *, role: str = Dataset.Role.TEST
) -> Dataset:
    dataset = Dataset.objects.create(name=name, scale=4, role=role)
    rows = SourceImage.objects.bulk_create(
        [
            SourceImage(
                dataset=dataset,
                name=f"img_{i:03d}",
                hr=f"datasets/{name}/hr/img_{i:03d}.png",
                lr=f"datasets/{name}/lr/img_{i:03d}.png",
                width=64,
                height=64,
                lr_width=16,
                lr_height=16,
                checksum=f"{i:064d}",
            )
            for i in range(1, images + 1)
        ]
    )
    method_rows = [ensure_method(key=key) for key in methods]
    Output.objects.bulk_create(
        [
            Output(
                image=image,
                method=method,
                file=f"outputs/{name}/{method.key}/{image.name}.png",
                width=64,
                height=64,
                psnr=None if method.key == "hr" else 25.0,
                origin=Output.Origin.REFERENCE if method.key == "hr" else Output.Origin.GENERATED,
                checksum="0" * 64,
            )
            for image in rows
            for method in method_rows
        ]
    )
    return dataset


def preset_catalog(methods: list[str] | None = None) -> None:
    """Everything the srgan2017 preset needs (every method on every dataset by default)."""
    for name, count in PRESET_SIZES.items():
        role = Dataset.Role.CALIBRATION if name == "BSD300-train" else Dataset.Role.TEST
        make_dataset(name, count, methods or list(METHODS), role=role)


def small_catalog() -> None:
    """Two small test datasets and a calibration set, for quick studies."""
    make_dataset("A", 4, ["nearest", "bicubic", "srgan-vgg54", "hr"])
    make_dataset("B", 3, ["nearest", "bicubic", "hr"])
    make_dataset("Cal", 6, ["nearest", "bicubic", "hr"], role=Dataset.Role.CALIBRATION)


SMALL_TOML = """\
seed = 7
raters = 3
[[arms]]
dataset = "A"
methods = ["nearest", "bicubic", "srgan-vgg54", "hr"]
[[arms]]
dataset = "B"
methods = ["nearest", "bicubic", "hr"]
[calibration]
dataset = "Cal"
images = 2
low = { method = "nearest", score = 1 }
high = { method = "hr", score = 5 }
[retest]
dataset = "A"
method = "srgan-vgg54"
images = 2
[session]
items_per_sitting = 10
break_minutes = 2
"""
