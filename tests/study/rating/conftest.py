from __future__ import annotations

import pytest

from study.protocol.models import PlanItem, Rater
from study.rating import services
from study.rating.selectors import item_token
from tests.study.rating.factories import make_study


def through_calibration(rater: Rater) -> Rater:
    """Consent, start, and acknowledge every calibration item, as the pages do."""
    services.give_consent(rater=rater)
    services.start_rating(rater=rater)
    rater.refresh_from_db()
    while rater.plan.get(position=rater.position).phase == PlanItem.Phase.CALIBRATION:
        services.submit(token=rater.token, item=item_token(rater=rater, position=rater.position))
        rater.refresh_from_db()
    return rater


@pytest.fixture
def small_study(db):
    return make_study()


@pytest.fixture
def rating_rater(small_study) -> Rater:
    return through_calibration(small_study.raters[0])
