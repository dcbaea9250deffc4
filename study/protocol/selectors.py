"""Reads of the protocol: a study's stimuli as the plan builder sees them, plans for export.

"Has it been rated?" is asked here through the reverse relation ``PlanItem.rating``
(a query on the rating app's table, not an import of it): the protocol sits below the
rating app, and the catalog and generation, which must never replace a rated output,
receive the answer from here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import TextIO

from django.db.models import Count, Max

from study.protocol import kinds
from study.protocol.models import (
    IMPORTED_SOURCE,
    SIMULATED_SOURCE,
    PlanItem,
    Rater,
    Stimulus,
    Study,
)
from study.protocol.plans import PlanStimulus

PLAN_COLUMNS = ["rater", "position", "phase", "dataset", "image", "method", "repeat"]


class StudyNotFound(LookupError):
    pass


def get_study(*, name: str) -> Study:
    try:
        return Study.objects.get(name=name)
    except Study.DoesNotExist:
        known = ", ".join(Study.objects.order_by("name").values_list("name", flat=True))
        raise StudyNotFound(
            f"no study named {name!r}" + (f" (studies: {known})" if known else "")
        ) from None


def study_for_update(*, name: str) -> Study | None:
    """The study named ``name``, its row locked until the transaction ends (None: no such)."""
    return Study.objects.select_for_update().filter(name=name).first()


def has_ratings(*, study: Study) -> bool:
    return PlanItem.objects.filter(rater__study=study, rating__isnull=False).exists()


def ratings_by_study() -> dict[int, int]:
    return dict(
        PlanItem.objects.filter(rating__isnull=False)
        .values("rater__study_id")
        .annotate(n=Count("id"))
        .values_list("rater__study_id", "n")
    )


def acr_output_has_ratings(*, output_id: int) -> bool:
    return PlanItem.objects.filter(stimulus__output_id=output_id, rating__isnull=False).exists()


def output_has_ratings(*, output_id: int) -> bool:
    """Whether any study of any kind has answers about this output (never replace it then)."""
    return any(kind.output_has_responses(output_id) for kind in kinds.registered())


def acr_presentations(*, rater: Rater, positions: Sequence[int]) -> list[tuple[int, str, Stimulus]]:
    """The stimulus of each of the rater's plan items at ``positions`` (one image each)."""
    items = PlanItem.objects.filter(rater=rater, position__in=list(positions)).select_related(
        "stimulus__output"
    )
    return [(item.position, "", item.stimulus) for item in items]


def last_rater_number(*, study: Study) -> int | None:
    return study.raters.aggregate(n=Max("number"))["n"]


def plan_stimuli(*, study: Study) -> list[PlanStimulus]:
    """The study's stimuli with the keys that make plans independent of database ids.

    Rating (and gold and attention) stimuli are ordered by (dataset, image, method)
    names; calibration stimuli by the study's calibration image order, low anchor
    before high. Reference stimuli (two-image kinds) are not plan items.
    """
    calibration_order = {
        name: i
        for i, name in enumerate(study.config.get("resolved", {}).get("calibration_images", []))
    }
    rows = study.stimuli.values_list(
        "id",
        "role",
        "retest",
        "anchor_score",
        "output__image_id",
        "output__image__name",
        "output__image__dataset__name",
        "output__method__key",
    )
    stimuli = []
    for sid, role, retest, score, image_id, image, dataset, method in rows:
        if role == Stimulus.Role.REFERENCE:
            continue
        if role == Stimulus.Role.CALIBRATION:
            order: tuple = (calibration_order.get(image, len(calibration_order)), image, score or 0)
        else:
            order = (dataset, image, method)
        stimuli.append(PlanStimulus(sid, image_id, order, role, retest))
    return stimuli


def plan_rows(*, study: Study) -> Iterator[tuple]:
    """``(rater, position, phase, dataset, image, method, repeat)`` of every plan item."""
    return (
        PlanItem.objects.filter(rater__study=study)
        .order_by("rater__number", "position")
        .values_list(
            "rater__number",
            "position",
            "phase",
            "stimulus__output__image__dataset__name",
            "stimulus__output__image__name",
            "stimulus__output__method__key",
            "repeat",
        )
        .iterator(chunk_size=5000)
    )


def write_plans_csv(*, study: Study, out: TextIO) -> int:
    """Every rater's plan as CSV (``PLAN_COLUMNS``), for audit or pre-registration."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PLAN_COLUMNS)
    count = 0
    for row in plan_rows(study=study):
        writer.writerow(row)
        count += 1
    return count


def unopened_raters(*, study: Study) -> list[Rater]:
    """Places nobody has taken yet: invited raters whose link was never opened to consent.

    Simulated and imported raters are not places; a rater who consented has taken theirs.
    ``invite_raters`` lists these links, the dashboard's links CSV too, and
    ``simulate_raters`` fills them before adding raters.
    """
    return list(
        study.raters.filter(simulated=False, consented_at__isnull=True, external_id="")
        .exclude(external_source__in=[IMPORTED_SOURCE, SIMULATED_SOURCE])
        .order_by("number")
    )


def raters(*, study: Study, numbers_from: int = 1) -> list[Rater]:
    return list(study.raters.filter(number__gte=numbers_from).order_by("number"))
