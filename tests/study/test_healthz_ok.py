from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_reports_database_ok_and_in_process_broker_by_default(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "in-process"}


@pytest.mark.django_db
def test_it_reports_broker_ok_when_redis_answers(client, settings, redis_url):
    settings.TASKS_IN_PROCESS = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_it_refuses_post(client):
    assert client.post("/healthz").status_code == 405
