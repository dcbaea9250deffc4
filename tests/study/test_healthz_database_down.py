from __future__ import annotations

import json
import subprocess
import sys

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


def test_it_returns_503_naming_the_database():
    # A real unreachable PostgreSQL server (nothing listens on port 1), in a fresh
    # process so the suite's own database connection is untouched.
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "study.settings_test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/test",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == 503
    assert report["body"]["database"].startswith("error:")
    assert report["body"]["broker"] == "in-process"
