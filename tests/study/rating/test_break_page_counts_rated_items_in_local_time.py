"""The break page counts the images rated (not the calibration examples) and gives the
time the rater may continue as a machine-readable UTC time, which a script from
``/static/`` shows in the rater's own clock (no inline script: the CSP forbids it)."""

from __future__ import annotations

from datetime import UTC

import pytest

from study.protocol.models import PlanItem
from study.rating.selectors import item_token
from tests.study.rating.conftest import through_calibration
from tests.study.rating.factories import make_study

pytestmark = pytest.mark.django_db


def test_it_counts_rated_items_and_marks_the_time_for_the_script(client):
    # 2 calibration images (4 examples), then 3 x 3 rating items and one retest repeat.
    study = make_study(items_per_sitting=3, break_minutes=5, calibration_images=2)
    rater = through_calibration(study.raters[0])
    assert rater.position == 4
    for _ in range(3):
        item = item_token(rater=rater, position=rater.position)
        client.post(f"/r/{rater.token}/submit", {"item": item, "score": "3"})
        rater.refresh_from_db()
    assert rater.break_until is not None
    rating_items = rater.plan.filter(phase=PlanItem.Phase.RATING).count()
    assert rating_items == 10

    page = client.get(f"/r/{rater.token}/").content.decode()
    assert "Time for a break" in page
    assert (
        'You have rated <span id="rated">3</span> of <span id="rating-total">10</span> images.'
        in page
    )
    until = rater.break_until.astimezone(UTC)
    assert (
        f'<time id="break-until" data-local-time data-reload-at datetime="{until.isoformat()}">'
        f"{until:%H:%M} UTC</time>" in page
    )
    assert '<script src="/static/js/local-time.js" defer></script>' in page
    assert "<script>" not in page
    assert 'http-equiv="refresh"' not in page  # the script reloads when the break ends
