"""``record_ratings``: whole plans of imported or simulated ratings, under submit's rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from study.protocol.models import PlanItem, Rater
from study.rating.models import Rating
from study.rating.services import RecordRefused, record_ratings
from tests.study.rating.conftest import through_calibration

BEGAN = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
ENDED = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def plan(rater: Rater, phase: str = PlanItem.Phase.RATING) -> list[PlanItem]:
    return list(rater.plan.filter(phase=phase).order_by("position"))


def scored(items: list[PlanItem], score: object = 3) -> list[tuple]:
    return [(item.pk, score, 800, ENDED) for item in items]


def test_it_stores_the_plan_and_leaves_the_rater_where_submit_leaves_a_finished_one(
    small_study,
):
    rater = small_study.raters[1]
    items = plan(rater)

    stored = record_ratings(
        study=small_study.study, ratings=scored(items), sessions={rater.pk: (BEGAN, ENDED)}
    )

    rater.refresh_from_db()
    assert stored == len(items) == 10  # 3 images x 3 methods + 1 retest repeat
    assert Rating.objects.filter(plan_item__rater=rater).count() == 10
    last = rater.plan.order_by("position").last()
    assert (rater.position, rater.sitting_start) == (last.position + 1, last.position + 1)
    assert (rater.consented_at, rater.started_at) == (BEGAN, BEGAN)
    assert (rater.finished_at, rater.last_seen_at) == (ENDED, ENDED)
    assert rater.completion_code == ""


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("score 6", "score must be an integer 1-5, got 6"),
        ("score 3.0", "score must be an integer 1-5, got 3.0"),
        ("calibration rated", "calibration items are acknowledged, never rated"),
        ("half the plan", "5 of 10 rating items rated"),
        ("another rater's item", "every rating must be for a plan item of the raters"),
        ("an item twice", "a plan item can be rated once"),
    ],
)
def test_it_refuses_what_submit_would_refuse_and_stores_nothing(small_study, case, message):
    rater, other = small_study.raters[1], small_study.raters[0]
    items = plan(rater)
    ratings = {
        "score 6": scored(items[:1]) + scored(items[1:], 6),
        "score 3.0": scored(items, 3.0),
        "calibration rated": scored(items) + scored(plan(rater, PlanItem.Phase.CALIBRATION)),
        "half the plan": scored(items[:5]),
        "another rater's item": scored(items) + scored(plan(other)[:1]),
        "an item twice": scored(items) + scored(items[:1]),
    }[case]

    with pytest.raises(RecordRefused, match=message):
        record_ratings(
            study=small_study.study, ratings=ratings, sessions={rater.pk: (BEGAN, ENDED)}
        )

    assert not Rating.objects.exists()
    rater.refresh_from_db()
    assert (rater.position, rater.finished_at) == (0, None)


def test_it_refuses_a_rater_who_has_begun_rating_here(small_study):
    rater = through_calibration(small_study.raters[0])

    with pytest.raises(RecordRefused, match="who have not rated yet"):
        record_ratings(
            study=small_study.study,
            ratings=scored(plan(rater)),
            sessions={rater.pk: (BEGAN, ENDED)},
        )

    assert not Rating.objects.exists()
