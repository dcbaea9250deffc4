"""Gold and attention items: stimuli of their own roles, placed among the rating items.

Each rater's plan keeps its rating items in the order they have without quality items,
and every quality item sits in a gap of its own (never two in a row, never next to a
photograph of its own); the plan stays a pure function of the seed and the rater.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from study.catalog.models import Output
from study.catalog.storage import read_bytes
from study.protocol.models import PlanItem, Stimulus
from study.protocol.plans import PlanBuilder, PlanError, PlanStimulus
from study.protocol.selectors import plan_stimuli
from study.protocol.services import rebuild_plans
from tests.study.protocol.plan_checks import assert_follows_the_rules, by_rater, export
from tests.study.protocol.quality_catalog import (
    PLAIN_TOML,
    QUALITY_TOML,
    quality_catalog,
    quality_study,
)

pytestmark = pytest.mark.django_db


def plan_of(rater) -> list[tuple[str, str, str, str, int]]:
    return list(
        rater.plan.order_by("position").values_list(
            "stimulus__role",
            "stimulus__output__image__dataset__name",
            "stimulus__output__image__name",
            "stimulus__output__method__key",
            "repeat",
        )
    )


def test_it_makes_gold_and_attention_stimuli_with_their_accepted_scores():
    quality_catalog()
    study = quality_study(open_it=False)
    resolved = study.config["resolved"]
    assert resolved["gold_images"] == ["img_004", "img_005"]
    assert resolved["attention_items"] == [{"image": "img_003", "score": 3}]
    checks = list(
        study.stimuli.exclude(role=Stimulus.Role.RATING)
        .order_by("role", "output__image__name", "expected_low")
        .values_list(
            "role",
            "output__image__dataset__name",
            "output__image__name",
            "output__method__key",
            "expected_low",
            "expected_high",
        )
    )
    assert checks == [
        ("attention", "Gold", "img_003", "attention-3", 3, 3),
        ("gold", "Gold", "img_004", "nearest", 1, 2),
        ("gold", "Gold", "img_004", "hr", 4, 5),
        ("gold", "Gold", "img_005", "nearest", 1, 2),
        ("gold", "Gold", "img_005", "hr", 4, 5),
    ]
    # The attention image is the photograph with the instruction drawn on it, at its size,
    # stored through the catalog as an output of the method attention-3.
    output = Output.objects.get(method__key="attention-3")
    assert (output.image.dataset.name, output.image.name, output.origin) == (
        "Gold",
        "img_003",
        "generated",
    )
    assert output.method.kind == "external"
    drawn = np.asarray(Image.open(io.BytesIO(read_bytes(output.file.name))).convert("RGB"))
    photograph = np.asarray(Image.open(io.BytesIO(read_bytes(output.image.hr.name))))
    assert drawn.shape == photograph.shape == (80, 120, 3)
    changed = (drawn != photograph).any(axis=2)
    # A band across the middle (the instruction), the top and bottom rows untouched.
    assert changed[40].mean() > 0.9
    assert not changed[:5].any()
    assert not changed[-5:].any()


def test_it_places_each_quality_item_between_rating_items_in_the_same_rating_order():
    quality_catalog()
    plain = quality_study("plain", PLAIN_TOML, open_it=False)
    checked = quality_study("checked", QUALITY_TOML, open_it=False)
    for number in (1, 2, 3):
        with_checks = plan_of(checked.raters.get(number=number))
        without = plan_of(plain.raters.get(number=number))
        # Everything is in the rating phase, and the 5 quality items are hidden in it.
        assert set(checked.raters.get(number=number).plan.values_list("phase", flat=True)) == {
            PlanItem.Phase.RATING
        }
        assert len(with_checks) == len(without) + 5
        assert [row for row in with_checks if row[0] == "rating"] == without
        roles = [row[0] for row in with_checks]
        assert all(not (a != "rating" and b != "rating") for a, b in itertools.pairwise(roles))
    for plan in by_rater(export(checked)).values():
        assert_follows_the_rules(plan)
    positions = {
        number: [row[0] for row in plan_of(checked.raters.get(number=number))].index("attention")
        for number in (1, 2, 3)
    }
    assert len(set(positions.values())) > 1  # each rater's plan places them anew


def test_it_rebuilds_the_same_plans_from_the_seed():
    quality_catalog()
    study = quality_study(open_it=False)
    before = {rater.number: plan_of(rater) for rater in study.raters.all()}
    rebuild_plans(study=study)
    assert {rater.number: plan_of(rater) for rater in study.raters.all()} == before
    builder = PlanBuilder(plan_stimuli(study=study))
    rater = study.raters.get(number=2)
    assert builder.rows(seed=study.seed, rater=2) == list(
        rater.plan.order_by("position").values_list("stimulus_id", "phase", "repeat")
    )


def test_it_refuses_quality_items_it_cannot_keep_apart_or_that_show_a_rated_photograph():
    rating = [PlanStimulus(id=i, image=i // 2, order=(i,)) for i in range(4)]
    checks = [PlanStimulus(id=10 + i, image=10 + i, order=(10 + i,), role="gold") for i in range(6)]
    with pytest.raises(PlanError, match="6 quality items need at least 5 rating items"):
        PlanBuilder(rating + checks)
    shown = [PlanStimulus(id=20, image=1, order=(20,), role="attention")]
    with pytest.raises(PlanError, match="a quality item shows a photograph that is also rated"):
        PlanBuilder(rating + shown)
    plan = PlanBuilder(rating + checks[:5]).rows(seed=3, rater=1)
    assert [stimulus >= 10 for stimulus, _, _ in plan] == [True, False] * 4 + [True]


def test_it_counts_the_quality_items_when_the_command_builds_the_study(tmp_path):
    quality_catalog()
    path = tmp_path / "study.toml"
    path.write_text(QUALITY_TOML)
    out = io.StringIO()
    call_command("create_study", "qc", "--config", str(path), stdout=out)
    assert out.getvalue().strip() == (
        "study 'qc' created (draft, seed 11): 9 rating stimuli (1 retested), 0 calibration "
        "stimuli, 4 gold and 1 attention items, 3 raters"
    )
