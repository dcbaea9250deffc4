from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from study.protocol.models import Study
from tests.study.protocol.catalog_rows import preset_catalog
from tests.study.protocol.plan_checks import assert_follows_the_rules, by_rater, export

pytestmark = pytest.mark.django_db


def test_it_builds_1128_rating_items_20_calibration_pairs_and_10_repeats():
    preset_catalog()
    out = StringIO()

    call_command("create_study", "paper", "--preset", "srgan2017", stdout=out)

    assert (
        "study 'paper' created (draft, seed 2017): 1128 rating stimuli (10 retested), "
        "40 calibration stimuli, 26 raters"
    ) in out.getvalue()
    study = Study.objects.get(name="paper")
    rating = study.stimuli.filter(role="rating")
    per_dataset = Counter(rating.values_list("output__image__dataset__name", flat=True))
    assert per_dataset == {"Set5": 12 * 5, "Set14": 12 * 14, "BSD100": 9 * 100}
    retest = rating.filter(retest=True)
    assert retest.count() == 10
    assert set(retest.values_list("output__method__key", "output__image__dataset__name")) == {
        ("srgan-vgg54", "BSD100")
    }
    anchors = Counter(
        study.stimuli.filter(role="calibration").values_list("output__method__key", "anchor_score")
    )
    assert anchors == {("nearest", 1): 20, ("hr", 5): 20}
    assert len(study.config["resolved"]["calibration_images"]) == 20

    plans = by_rater(export(study))
    assert sorted(plans) == list(range(1, 27))
    for plan in plans.values():
        assert len(plan) == 40 + 1128 + 10
        assert_follows_the_rules(plan)
        calibration = plan[:40]
        # NN (score 1) then HR (score 5) of each calibration image, in the study's order.
        assert [row["method"] for row in calibration] == ["nearest", "hr"] * 20
        assert [row["image"] for row in calibration[::2]] == study.config["resolved"][
            "calibration_images"
        ]
        assert sum(row["repeat"] == "1" for row in plan) == 10
    orders = {
        tuple((r["dataset"], r["image"], r["method"]) for r in plan[40:]) for plan in plans.values()
    }
    assert len(orders) == 26  # every rater has an order of their own
