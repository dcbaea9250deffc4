"""A full design deals every comparison to the raters, evenly, each plan reproducible."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest

from study.pairwise import plans
from study.pairwise.models import Trial
from study.protocol.config import ConfigError
from tests.study.pairwise.factories import make_catalog, make_two_image_study


def _trials(study):
    return list(
        Trial.objects.filter(rater__study=study)
        .order_by("rater__number", "position")
        .values_list(
            "rater__number",
            "left__output__image__name",
            "left__output__method__key",
            "right__output__method__key",
        )
    )


@pytest.mark.django_db
def test_it_gives_every_rater_every_pair_on_every_image():
    make_catalog(images=3)
    study = make_two_image_study(raters=2)
    trials = _trials(study)
    for number in (1, 2):
        mine = [t[1:] for t in trials if t[0] == number]
        unordered = Counter((image, frozenset((a, b))) for image, a, b in mine)
        expected = {
            (f"img_{i:03d}", frozenset(pair))
            for i in (1, 2, 3)
            for pair in combinations(("nearest", "bicubic", "srcnn"), 2)
        }
        assert set(unordered) == expected
        assert set(unordered.values()) == {1}
    # Sides are drawn: both orders of a pair occur.
    lefts = Counter(t[2] for t in trials)
    assert len(lefts) == 3


@pytest.mark.django_db
def test_it_deals_a_share_to_each_rater_evenly():
    make_catalog(images=3)
    study = make_two_image_study(raters=3, per_rater=3)
    trials = _trials(study)
    assert Counter(t[0] for t in trials) == {1: 3, 2: 3, 3: 3}
    shown = Counter((t[1], frozenset(t[2:])) for t in trials)
    assert len(shown) == 9
    assert set(shown.values()) == {1}


@pytest.mark.django_db
def test_it_pairs_each_method_with_the_real_photograph_in_2afc():
    make_catalog(images=2)
    study = make_two_image_study(kind="2afc-real", methods=("bicubic", "srcnn"), raters=1)
    mine = [frozenset(t[2:]) for t in _trials(study)]
    assert Counter(mine) == {frozenset(("bicubic", "hr")): 2, frozenset(("srcnn", "hr")): 2}


@pytest.mark.django_db
def test_it_refuses_more_comparisons_per_rater_than_the_design_has():
    make_catalog(images=1)
    with pytest.raises(ConfigError, match=r"comparisons_per_rater: 5 asked, .* only 3"):
        make_two_image_study(per_rater=5)
    assert not Trial.objects.exists()


def test_it_draws_the_same_plan_from_the_same_seed():
    universe = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6)]
    first = plans.rater_trials(universe, seed=5, rater=2, per_rater=4)
    assert first == plans.rater_trials(universe, seed=5, rater=2, per_rater=4)
    assert first != plans.rater_trials(universe, seed=6, rater=2, per_rater=4)
