"""``PORT=18431 make demo``: every link the site prints (the demo's, the admin's, those of
``invite_raters``) starts with SITE_URL, which ``make demo`` and ``make run`` derive from
PORT unless SITE_URL is set."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from study.demo.management.commands.demo import site_url
from tests.services import ROOT


def site_url_of_recipe(target: str, **env: str) -> str:
    """The SITE_URL the shell gives ``target``'s recipe (printed by ``make -n``, not run)."""
    base = {"PATH": os.environ["PATH"], **env}
    recipe = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed-dev", "-o", "migrate", target],
        cwd=ROOT, env=base, capture_output=True, text=True, check=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    assignment = next(word for word in recipe.split() if word.startswith("SITE_URL="))
    shell = subprocess.run(
        ["bash", "-c", f'{assignment}; printf %s "$SITE_URL"'],
        env=base, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return shell.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["demo", "run"])
def test_it_derives_site_url_from_the_port(target):
    assert site_url_of_recipe(target, PORT="18431") == "http://127.0.0.1:18431"
    assert site_url_of_recipe(target) == "http://127.0.0.1:8000"
    given = site_url_of_recipe(target, PORT="18431", SITE_URL="https://mos.example.org")
    assert given == "https://mos.example.org"


def test_it_prints_links_of_site_url_when_it_is_set(monkeypatch, settings):
    monkeypatch.delenv("SITE_URL", raising=False)
    assert site_url(9000) == "http://127.0.0.1:9000"
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:18431")
    settings.SITE_URL = "http://127.0.0.1:18431"
    assert site_url(9000) == "http://127.0.0.1:18431"
