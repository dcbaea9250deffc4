"""Active sampling under concurrent raters: every trial drawn once, answered once.

Eight raters, each driven by two racing threads (a double-pressing browser), draw
their trials from the shared state of one arm while the others answer theirs.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test import Client

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater
from study.rating import services as rater_services
from study.rating.selectors import item_token
from tests.study.pairwise.factories import make_catalog, make_two_image_study

PER_RATER = 6


@pytest.mark.django_db(transaction=True)
def test_it_draws_and_stores_each_trial_once_under_concurrent_raters():
    make_catalog(images=3, methods=("nearest", "bicubic", "srcnn", "hr"))
    study = make_two_image_study(
        raters=8,
        design="active",
        per_rater=PER_RATER,
        methods=("nearest", "bicubic", "srcnn", "hr"),
    )
    raters = list(study.raters.order_by("number"))
    for rater in raters:
        rater_services.give_consent(rater=rater)
        rater_services.start_rating(rater=rater)
    acknowledged: dict[int, set[int]] = defaultdict(set)
    errors: list[str] = []
    lock = threading.Lock()

    def drive(rater_id: int) -> None:
        client = Client()
        try:
            for _ in range(10 * PER_RATER):
                rater = Rater.objects.get(pk=rater_id)
                if rater.finished_at is not None:
                    return
                page = client.get(f"/c/{rater.token}/")
                if page.status_code != 200:
                    errors.append(f"GET {page.status_code}")
                position = rater.position
                response = client.post(
                    f"/c/{rater.token}/choose",
                    {"item": item_token(rater=rater, position=position), "side": "left"},
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
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    assert Trial.objects.filter(rater__study=study).count() == 8 * PER_RATER
    assert Choice.objects.filter(trial__rater__study=study).count() == 8 * PER_RATER
    for rater in raters:
        positions = set(
            Choice.objects.filter(trial__rater=rater).values_list("trial__position", flat=True)
        )
        assert positions == acknowledged[rater.pk] == set(range(PER_RATER))
        # A rater sees a pair again on an image only once every image has shown it.
        shown = Counter(
            (frozenset((a, b)), image)
            for image, a, b in Trial.objects.filter(rater=rater).values_list(
                "left__output__image__name",
                "left__output__method__key",
                "right__output__method__key",
            )
        )
        for pair in {pair for pair, _ in shown}:
            counts = [shown[(pair, f"img_{i:03d}")] for i in (1, 2, 3)]
            assert max(counts) - min(counts) <= 1, (pair, counts)
