"""Behind HTTPS (DEBUG=0, SECURE_COOKIES=1): redirect, HSTS, CSP and the referrer policy."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import pytest

from tests.services import ROOT

SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
def seen(response):
    return {"status": response.status_code, "location": response.get("Location"),
            **{name: response.get(name) for name in (
                "Strict-Transport-Security", "Content-Security-Policy", "Referrer-Policy")}}
print(json.dumps({
    "http": seen(client.get("/admin/login/")),
    "https": seen(client.get("/admin/login/", secure=True)),
    "proxied": seen(client.get("/admin/login/", headers={"X-Forwarded-Proto": "https"})),
    "healthz": seen(client.get("/healthz")),
}))
"""

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def production(tmp_path, **extra: str) -> dict[str, dict[str, object]]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "study.settings",
        "DEBUG": "0",
        "SECURE_COOKIES": "1",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_redirects_to_https_and_sends_the_security_headers(tmp_path):
    seen = production(tmp_path)

    assert seen["http"]["status"] == 301
    assert seen["http"]["location"] == "https://testserver/admin/login/"
    https = seen["https"]
    assert https["status"] == 200
    assert https["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert https["Content-Security-Policy"] == POLICY
    # Never to another site; within the site the Origin of a form stays valid for CSRF.
    assert https["Referrer-Policy"] == "same-origin"
    # A proxy that does not say so is not believed: the forwarded request is redirected.
    assert seen["proxied"]["status"] == 301
    # Health probes of a load balancer come over plain HTTP.
    assert seen["healthz"]["status"] == 200
    assert seen["healthz"]["Content-Security-Policy"] == POLICY


def test_a_proxy_header_marks_forwarded_requests_as_https(tmp_path):
    seen = production(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert seen["proxied"]["status"] == 200
    assert seen["proxied"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert seen["http"]["status"] == 301


@pytest.mark.parametrize(
    ("extra", "status"),
    [({"SECURE_SSL_REDIRECT": "0"}, 200), ({"SECURE_COOKIES": "0"}, 200)],
)
def test_the_redirect_is_a_setting(tmp_path, extra, status):
    seen = production(tmp_path, **extra)
    assert seen["http"]["status"] == status
