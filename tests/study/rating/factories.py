"""A small open study written straight into the database, for the rater-facing tests.

It creates real catalog rows and real PNG files in storage, and a plan per rater
(calibration pairs first, then every rating stimulus once, then a retest repeat).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from study.catalog.models import Dataset, Method, Output, SourceImage
from study.protocol.models import PlanItem, Rater, Stimulus, Study


def png_bytes(width: int, height: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _stored(path: str, data: bytes) -> str:
    return default_storage.save(path, ContentFile(data))


@dataclass
class SmallStudy:
    study: Study
    raters: list[Rater]

    def rating_positions(self, rater: Rater) -> list[int]:
        return list(
            rater.plan.filter(phase=PlanItem.Phase.RATING).values_list("position", flat=True)
        )


def make_study(
    *,
    name: str = "small",
    images: int = 3,
    methods: tuple[str, ...] = ("nearest", "bicubic", "hr"),
    raters: int = 2,
    calibration_images: int = 1,
    retest: bool = True,
    state: str = Study.State.OPEN,
    size: tuple[int, int] = (64, 48),
    items_per_sitting: int | None = None,
    break_minutes: int = 0,
    completion_redirect_url: str = "",
) -> SmallStudy:
    width, height = size
    dataset = Dataset.objects.create(name=f"{name}-set", scale=4)
    calibration = Dataset.objects.create(name=f"{name}-cal", scale=4, role="calibration")
    method_rows = {
        key: Method.objects.get_or_create(
            key=key, defaults={"label": key.upper(), "kind": "interpolation"}
        )[0]
        for key in {*methods, "nearest", "hr"}
    }
    seed = 0

    def image_with_outputs(ds: Dataset, index: int, keys) -> dict[str, Output]:
        nonlocal seed
        image = SourceImage.objects.create(
            dataset=ds,
            name=f"img_{index:03d}",
            hr=_stored(
                f"datasets/{ds.name}/hr/img_{index:03d}.png", png_bytes(width, height, seed)
            ),
            lr=_stored(
                f"datasets/{ds.name}/lr/img_{index:03d}.png",
                png_bytes(width // 4, height // 4, seed + 1),
            ),
            width=width,
            height=height,
            lr_width=width // 4,
            lr_height=height // 4,
            checksum="x" * 64,
        )
        outputs = {}
        for key in keys:
            seed += 1
            path = f"outputs/{ds.name}/{key}/img_{index:03d}.png"
            outputs[key] = Output.objects.create(
                image=image,
                method=method_rows[key],
                file=_stored(path, png_bytes(width, height, seed)),
                width=width,
                height=height,
                origin="generated",
                checksum="y" * 64,
            )
        return outputs

    study = Study.objects.create(
        name=name,
        title="A small test study",
        config={},
        seed=7,
        state=state,
        opened_at=timezone.now() if state == Study.State.OPEN else None,
        items_per_sitting=items_per_sitting,
        break_minutes=break_minutes,
        completion_redirect_url=completion_redirect_url,
    )
    calibration_stimuli = []
    for index in range(calibration_images):
        outputs = image_with_outputs(calibration, index + 1, ("nearest", "hr"))
        for key, score in (("nearest", 1), ("hr", 5)):
            calibration_stimuli.append(
                Stimulus.objects.create(
                    study=study, output=outputs[key], role="calibration", anchor_score=score
                )
            )
    rating_stimuli = []
    for index in range(images):
        outputs = image_with_outputs(dataset, index + 1, methods)
        for key in methods:
            rating_stimuli.append(
                Stimulus.objects.create(
                    study=study,
                    output=outputs[key],
                    role="rating",
                    retest=retest and index == 0 and key == methods[0],
                )
            )
    rater_rows = []
    for number in range(1, raters + 1):
        rater = Rater.objects.create(study=study, number=number)
        rng = np.random.default_rng(number)
        order = [rating_stimuli[i] for i in rng.permutation(len(rating_stimuli))]
        items = [(PlanItem.Phase.CALIBRATION, s, 0) for s in calibration_stimuli]
        items += [(PlanItem.Phase.RATING, s, 0) for s in order]
        items += [(PlanItem.Phase.RATING, s, 1) for s in rating_stimuli if s.retest]
        PlanItem.objects.bulk_create(
            PlanItem(rater=rater, position=p, phase=phase, stimulus=s, repeat=r)
            for p, (phase, s, r) in enumerate(items)
        )
        rater_rows.append(rater)
    return SmallStudy(study=study, raters=rater_rows)
