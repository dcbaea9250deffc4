from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_it_returns_503_naming_the_broker(client, settings):
    settings.TASKS_IN_PROCESS = False
    # Nothing listens on port 1: the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")
