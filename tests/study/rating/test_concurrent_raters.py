from __future__ import annotations

import threading
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client

from study.protocol.models import PlanItem, Rater
from study.rating.models import Rating
from study.rating.selectors import item_token
from tests.study.rating.conftest import through_calibration
from tests.study.rating.factories import make_study


@pytest.mark.django_db(transaction=True)
def test_it_loses_and_duplicates_no_rating_under_concurrent_raters():
    """20 raters, each driven by two racing threads (a double-clicking browser)."""
    study = make_study(raters=20, images=4, calibration_images=1)
    raters = [through_calibration(rater) for rater in study.raters]
    acknowledged: dict[int, set[int]] = defaultdict(set)
    errors: list[str] = []
    lock = threading.Lock()

    def drive(rater_id: int) -> None:
        client = Client()
        try:
            while True:
                rater = Rater.objects.get(pk=rater_id)
                if rater.finished_at is not None:
                    return
                position = rater.position
                response = client.post(
                    f"/r/{rater.token}/submit",
                    {
                        "item": item_token(rater=rater, position=position),
                        "score": str(1 + position % 5),
                    },
                    HTTP_ACCEPT="application/json",
                )
                if response.status_code == 200 and response.json()["stored"]:
                    with lock:
                        acknowledged[rater_id].add(position)
                elif response.status_code not in (200, 409):
                    errors.append(f"{response.status_code} {response.content[:200]!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=drive, args=(r.pk,)) for r in raters for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    rating_items = PlanItem.objects.filter(rater__study=study.study, phase="rating").count()
    assert Rating.objects.count() == rating_items == 20 * (4 * 3 + 1)
    for rater in raters:
        stored = set(
            Rating.objects.filter(plan_item__rater=rater).values_list(
                "plan_item__position", flat=True
            )
        )
        assert stored == acknowledged[rater.pk]
        for rating in Rating.objects.filter(plan_item__rater=rater).select_related("plan_item"):
            assert rating.score == 1 + rating.plan_item.position % 5
