"""``manage.py check --deploy`` has nothing to say about DEBUG=0 with SECURE_COOKIES=1."""

from __future__ import annotations

import secrets
import subprocess
import sys

from tests.services import ROOT


def test_it_prints_no_warning(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "study.settings",
        "DEBUG": "0",
        "SECURE_COOKIES": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "mos.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "WARNING" not in output
    assert "System check identified no issues" in output
