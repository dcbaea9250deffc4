"""Two-image studies built the way a user builds them: catalog rows, a TOML, create_study.

Real catalog rows and real PNG files in storage (one random image per output, so each
stimulus is a distinct file), then ``protocol.services.create_study`` on the TOML.
"""

from __future__ import annotations

from study.catalog.models import Dataset, Method, Output, SourceImage
from study.protocol import services as protocol_services
from study.protocol.config import parse_config
from study.protocol.models import Study
from tests.study.rating.factories import _stored, png_bytes


def make_catalog(
    *,
    dataset: str = "pairs",
    images: int = 3,
    methods: tuple[str, ...] = ("nearest", "bicubic", "srcnn", "hr"),
    size: tuple[int, int] = (64, 48),
) -> Dataset:
    width, height = size
    ds = Dataset.objects.create(name=dataset, scale=4)
    rows = {
        key: Method.objects.get_or_create(
            key=key, defaults={"label": key.upper(), "kind": "interpolation"}
        )[0]
        for key in methods
    }
    seed = 1000
    for index in range(1, images + 1):
        name = f"img_{index:03d}"
        image = SourceImage.objects.create(
            dataset=ds,
            name=name,
            hr=_stored(f"datasets/{dataset}/hr/{name}.png", png_bytes(width, height, seed)),
            lr=_stored(f"datasets/{dataset}/lr/{name}.png", png_bytes(width // 4, height // 4, 1)),
            width=width,
            height=height,
            lr_width=width // 4,
            lr_height=height // 4,
            checksum="x" * 64,
        )
        for key, method in rows.items():
            seed += 1
            Output.objects.create(
                image=image,
                method=method,
                file=_stored(f"outputs/{dataset}/{key}/{name}.png", png_bytes(width, height, seed)),
                width=width,
                height=height,
                origin="generated",
                checksum="y" * 64,
            )
    return ds


def make_two_image_study(
    *,
    name: str = "pairs-study",
    kind: str = "pairwise",
    methods: tuple[str, ...] = ("nearest", "bicubic", "srcnn"),
    raters: int = 2,
    design: str = "full",
    per_rater: int | None = None,
    dataset: str = "pairs",
    extra: str = "",
    open_it: bool = True,
) -> Study:
    listed = ", ".join(f'"{m}"' for m in methods)
    pairwise = f'[pairwise]\ndesign = "{design}"\n'
    if per_rater is not None:
        pairwise += f"comparisons_per_rater = {per_rater}\n"
    text = (
        f'kind = "{kind}"\nseed = 11\nraters = {raters}\n{extra}\n'
        f'[[arms]]\ndataset = "{dataset}"\nmethods = [{listed}]\n{pairwise}'
    )
    study, _ = protocol_services.create_study(name=name, config=parse_config(text), source=text)
    if open_it:
        study = protocol_services.open_study(study=study)
    return study
