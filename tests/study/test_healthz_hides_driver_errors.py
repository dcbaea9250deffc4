"""``/healthz`` names the part that is down; the driver's message goes to the log only."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from study.health import FAILED
from tests.services import ROOT

SCRIPT = """
import json, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()
from django.test import Client
response = Client().get("/healthz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def test_a_database_that_is_down_is_named_without_its_address():
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "study.settings_test",
        "DATABASE_URL": "postgres://secretuser@127.0.0.1:1/test",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"status": 503, "body": {"database": FAILED, "broker": "in-process"}}
    assert FAILED == "error: unavailable (the reason is in the server log)"
    # The server log has what the operator needs: the driver's own message.
    [line] = [line for line in result.stderr.splitlines() if "ERROR study.health" in line]
    assert "the database is unavailable: OperationalError" in line
    assert '"127.0.0.1", port 1 failed' in line


@pytest.mark.django_db
def test_a_broker_that_is_down_is_named_without_its_address(client, settings, caplog):
    settings.TASKS_IN_PROCESS = False
    settings.CELERY_BROKER_URL = "redis://:hunter2@127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.ERROR, logger="study.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": FAILED}
    assert "the broker is unavailable: OperationalError" in caplog.text
    assert "127.0.0.1:1. Connection refused" in caplog.text
    assert "hunter2" not in response.content.decode()
