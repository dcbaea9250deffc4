"""Studies with ratings for the export, import and dashboard tests.

Ratings are made the way raters make them (``study.rating.services``) or by
``simulate_raters``; catalog methods are created through ``ensure_method`` first so
the HR reference has its real kind.
"""

from __future__ import annotations

from collections.abc import Callable

from study.catalog.models import Output
from study.catalog.services import ensure_method
from study.protocol.models import PlanItem, Rater
from study.rating import services
from study.rating.selectors import item_token
from tests.study.rating.factories import SmallStudy, make_study

Scorer = Callable[[str, str, str, int], int]


# Every file of an export, as issue 8 lists them (payments.csv: issue 14).
EXPORT_FILES = [
    "ratings.csv",
    "mos.csv",
    "wilcoxon.csv",
    "raters.csv",
    "payments.csv",
    "subject_model.csv",
    "retest.csv",
    "table1.tex",
    "table2.tex",
    "tables.md",
    "figure5.png",
    "figure5.pdf",
    "manifest.json",
]


def paper_study(
    *,
    name: str = "paper",
    methods: tuple[str, ...] = ("nearest", "bicubic", "srgan-vgg54", "hr"),
    images: int = 3,
    raters: int = 2,
    retest: bool = True,
    calibration_images: int = 1,
) -> SmallStudy:
    """The rating factory's open study, with methods known to the catalog (HR a reference)."""
    for key in {*methods, "nearest", "hr"}:
        ensure_method(key=key)
    return make_study(
        name=name,
        methods=methods,
        images=images,
        raters=raters,
        retest=retest,
        calibration_images=calibration_images,
        size=(32, 24),
    )


def set_metrics(study: SmallStudy, values: dict[str, tuple[float, float, float]]) -> None:
    """Give every output of a method the same (psnr, ssim, ssim_daala)."""
    for key, (psnr, ssim, daala) in values.items():
        Output.objects.filter(
            image__dataset__name=f"{study.study.name}-set", method__key=key
        ).update(psnr=psnr, ssim=ssim, ssim_daala=daala)


def rate(rater: Rater, scorer: Scorer, *, limit: int | None = None) -> int:
    """Take ``rater`` through consent, calibration and (up to ``limit``) rating items.

    ``scorer(dataset, image, method, repeat)`` gives each score. Returns ratings stored.
    """
    services.give_consent(rater=rater)
    services.start_rating(rater=rater)
    stored = 0
    while True:
        rater.refresh_from_db()
        item = (
            PlanItem.objects.filter(rater=rater, position=rater.position)
            .select_related("stimulus__output__image__dataset", "stimulus__output__method")
            .first()
        )
        if item is None or (limit is not None and stored >= limit):
            return stored
        token = item_token(rater=rater, position=rater.position)
        if item.phase == PlanItem.Phase.CALIBRATION:
            services.submit(token=rater.token, item=token)
            continue
        output = item.stimulus.output
        score = scorer(output.image.dataset.name, output.image.name, output.method.key, item.repeat)
        services.submit(token=rater.token, item=token, score=str(score), response_ms="1500")
        stored += 1


def by_method(scores: dict[str, int]) -> Scorer:
    return lambda dataset, image, method, repeat: scores[method]
