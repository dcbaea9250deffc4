from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from study.env import env_bool, env_list, parse_database_url


def test_it_parses_postgres_urls_with_credentials():
    config = parse_database_url(
        "postgres://alice:s%40cret@db.example:6543/mos", base_dir=Path("/x")
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["USER"], config["PASSWORD"]) == ("alice", "s@cret")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", "6543", "mos")


def test_it_resolves_relative_sqlite_paths_against_the_project():
    config = parse_database_url("sqlite:///db.sqlite3", base_dir=Path("/project"))
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/project/db.sqlite3"}
    absolute = parse_database_url("sqlite:////tmp/x.db", base_dir=Path("/project"))
    assert absolute["NAME"] == "/tmp/x.db"


def test_it_reads_booleans_strictly(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG") is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_it_rejects_empty_list_entries(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="HOSTS"):
        env_list("HOSTS", [])
