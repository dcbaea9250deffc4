from __future__ import annotations

import subprocess
import sys

import pytest

from tests.services import ROOT


def manage_check(**env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "study.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "postgres://localhost"),
        ("DATABASE_URL", "postgres://u@host:notaport/db"),
        ("DEBUG", "maybe"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("CELERY_VISIBILITY_TIMEOUT", "soon"),
        ("IMAGE_MAX_PIXELS", "0"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
    ],
)
def test_it_stops_start_up_naming_the_variable(variable, value):
    env = {"DEBUG": "1", variable: value}
    result = manage_check(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.splitlines()[-1]


def test_it_refuses_to_start_without_secret_key_when_not_debug():
    result = manage_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.splitlines()[-1]


def test_it_starts_with_the_embedded_defaults_in_debug():
    result = manage_check(DEBUG="1")
    assert result.returncode == 0, result.stderr
