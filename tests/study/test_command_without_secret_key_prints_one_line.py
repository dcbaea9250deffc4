"""A command run without SECRET_KEY (and without DEBUG) says so in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.services import ROOT


@pytest.mark.parametrize("command", [["check"], ["migrate"], ["generate_outputs", "Set5", "x"]])
def test_it_prints_one_line_naming_secret_key(command):
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "study.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "ImproperlyConfigured: SECRET_KEY is not set. Set SECRET_KEY to a long random "
        "string, or DEBUG=1 for local development with a fixed development key.\n"
    )
