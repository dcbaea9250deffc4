from __future__ import annotations

import pytest

from study.protocol.config import parse_config
from study.protocol.models import PlanItem
from study.protocol.services import StudyLocked, add_raters, create_study, open_study, rebuild_plans
from study.rating.models import Rating
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog
from tests.study.protocol.plan_checks import export

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated_study():
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML))
    open_study(study=study)
    item = PlanItem.objects.filter(rater__study=study, rater__number=1).order_by("position")[0]
    Rating.objects.create(plan_item=item, score=3)
    return study


def test_it_refuses_to_rebuild_plans_once_a_rating_exists(rated_study):
    before = export(rated_study)
    with pytest.raises(StudyLocked, match="study 's' has ratings"):
        rebuild_plans(study=rated_study)
    assert export(rated_study) == before


def test_it_still_adds_raters_without_touching_existing_plans(rated_study):
    before = export(rated_study)
    add_raters(study=rated_study, count=2)
    after = export(rated_study)
    assert after[: len(before)] == before
    assert {row["rater"] for row in after[len(before) :]} == {"4", "5"}


def test_it_makes_the_admin_read_only_for_stimuli_and_plans(rated_study, admin_client):
    stimulus = rated_study.stimuli.first()
    item = PlanItem.objects.filter(rater__study=rated_study).first()
    for url in (
        f"/admin/protocol/stimulus/{stimulus.pk}/change/",
        f"/admin/protocol/planitem/{item.pk}/change/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert admin_client.post(url, {}).status_code == 403
    assert admin_client.get("/admin/protocol/planitem/add/").status_code == 403
    assert admin_client.get(f"/admin/protocol/planitem/{item.pk}/delete/").status_code == 403
    # An open study's session limits are read-only too; its title stays editable.
    page = admin_client.get(f"/admin/protocol/study/{rated_study.pk}/change/")
    assert b'name="title"' in page.content
    assert b'name="items_per_sitting"' not in page.content
