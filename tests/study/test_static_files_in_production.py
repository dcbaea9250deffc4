from __future__ import annotations

import json
import subprocess
import sys

from tests.services import ROOT

SCRIPT = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
call_command("collectstatic", interactive=False, verbosity=0)
setup_test_environment()
css = Client().get("/static/css/site.css")
js = Client().get("/static/js/rate.js")
print(json.dumps({"css": css.status_code, "js": js.status_code,
                  "body": b"".join(css.streaming_content).decode()[:200]}))
"""


def test_it_collects_and_serves_static_files_with_debug_off(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "study.settings",
        "DEBUG": "0",
        "SECRET_KEY": "static-files-test",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["css"], report["js"]) == (200, 200)
    assert "--grey" in report["body"]
    assert (tmp_path / "static" / "css" / "site.css").exists()
