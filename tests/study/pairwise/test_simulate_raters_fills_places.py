"""``simulate_raters`` fills a two-image study's unopened places before adding raters."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from study.pairwise.models import Choice
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("design", ["full", "active"])
def test_it_fills_the_places_first(design):
    make_catalog(images=2)
    study = make_two_image_study(raters=3, design=design, per_rater=4)
    call_command("simulate_raters", study.name, "--count", "5", "--seed", "1", stdout=StringIO())
    raters = list(study.raters.order_by("number"))
    assert [r.number for r in raters] == [1, 2, 3, 4, 5]
    assert all(r.simulated and r.finished_at is not None for r in raters)
    assert Choice.objects.filter(trial__rater__study=study).count() == 5 * 4
