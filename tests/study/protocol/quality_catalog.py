"""A small catalog with real PNG files, and study definitions with ``[quality]``.

Attention items are drawn on the gold dataset's HR photographs when a study is built,
so these rows need files (``catalog_rows`` has none); the rater pages serve them too.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from study.catalog.models import Dataset, Output, SourceImage
from study.catalog.services import ensure_method
from study.protocol.config import parse_config
from study.protocol.models import PlanItem, Rater, Study
from study.protocol.services import create_study
from study.rating import services
from study.rating.selectors import item_token
from tests.study.rating.factories import png_bytes

ARM_METHODS = ["nearest", "bicubic", "hr"]

PLAIN_TOML = """\
title = "Quality control"
seed = 11
raters = 3
completion_redirect_url = "https://app.prolific.com/submissions/complete?cc={code}"
[[arms]]
dataset = "A"
methods = ["nearest", "bicubic", "hr"]
[retest]
dataset = "A"
method = "bicubic"
images = 1
"""

QUALITY_TOML = (
    PLAIN_TOML
    + """\
[quality]
gold = { dataset = "Gold", images = 2, low = "nearest", high = "hr" }
attention = 1
reject_if = ["gold", "attention"]
screen_out_code = "SCREENED"
"""
)


def _stored(path: str, data: bytes) -> str:
    return default_storage.save(path, ContentFile(data))


def make_dataset(
    name: str, images: int, methods: list[str], *, role: str, size: tuple[int, int]
) -> Dataset:
    width, height = size
    dataset = Dataset.objects.create(name=name, scale=4, role=role)
    method_rows = [ensure_method(key=key) for key in methods]
    seed = sum(map(ord, name)) * 1000
    for index in range(1, images + 1):
        image_name = f"img_{index:03d}"
        image = SourceImage.objects.create(
            dataset=dataset,
            name=image_name,
            hr=_stored(f"datasets/{name}/hr/{image_name}.png", png_bytes(width, height, seed)),
            lr=_stored(
                f"datasets/{name}/lr/{image_name}.png", png_bytes(width // 4, height // 4, seed)
            ),
            width=width,
            height=height,
            lr_width=width // 4,
            lr_height=height // 4,
            checksum=f"{seed:064d}",
        )
        for method in method_rows:
            seed += 1
            Output.objects.create(
                image=image,
                method=method,
                file=_stored(
                    f"outputs/{name}/{method.key}/{image_name}.png", png_bytes(width, height, seed)
                ),
                width=width,
                height=height,
                psnr=None if method.key == "hr" else 25.0,
                origin=Output.Origin.REFERENCE if method.key == "hr" else Output.Origin.GENERATED,
                checksum="0" * 64,
            )
    return dataset


def quality_catalog(size: tuple[int, int] = (120, 80)) -> None:
    """A test dataset ``A`` (3 photographs) and a calibration-role ``Gold`` dataset (5)."""
    make_dataset("A", 3, ARM_METHODS, role=Dataset.Role.TEST, size=size)
    make_dataset("Gold", 5, ["nearest", "hr"], role=Dataset.Role.CALIBRATION, size=size)


def quality_study(name: str = "qc", text: str = QUALITY_TOML, *, open_it: bool = True) -> Study:
    study, _design = create_study(name=name, config=parse_config(text), source=text)
    if open_it:
        study.state = Study.State.OPEN
        study.save(update_fields=["state"])
    return study


def careful_score(item: PlanItem, rating: int) -> int:
    """What a careful rater answers: a check item as it asks, a rated item ``rating``."""
    stimulus = item.stimulus
    if stimulus.expected_low is None:
        return rating
    return (stimulus.expected_low + stimulus.expected_high) // 2


def rate_plan(rater: Rater, answer, *, limit: int | None = None) -> int:
    """Consent, start and rate ``rater``'s plan with ``answer(plan_item) -> score``.

    Stops after ``limit`` ratings (all when None); returns the ratings stored.
    """
    services.give_consent(rater=rater)
    services.start_rating(rater=rater)
    stored = 0
    while limit is None or stored < limit:
        rater.refresh_from_db()
        item = (
            PlanItem.objects.filter(rater=rater, position=rater.position)
            .select_related("stimulus__output__method", "stimulus__output__image__dataset")
            .first()
        )
        if item is None:
            break
        token = item_token(rater=rater, position=rater.position)
        if item.phase == PlanItem.Phase.CALIBRATION:
            services.submit(token=rater.token, item=token)
            continue
        services.submit(token=rater.token, item=token, score=str(answer(item)), response_ms="900")
        stored += 1
    return stored
