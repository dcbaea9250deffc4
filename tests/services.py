"""Access to the real services the tests use, and how absent ones are handled.

An absent service skips its tests with a clear reason, except under
``REQUIRE_SERVICES=1`` (CI), where it fails them: a skipped test is not a passed one.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHARED_DATASETS = Path(os.environ.get("SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def unavailable(reason: str) -> None:
    """Skip the calling test, or fail it when services are required."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: absent services fail the run)", pytrace=False)
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def require_redis() -> str:
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {TEST_REDIS_URL}: {exc}")
    return TEST_REDIS_URL


def require_postgres() -> str:
    if not port_open(TEST_POSTGRES_URL, 5432):
        unavailable(f"PostgreSQL is not reachable at {TEST_POSTGRES_URL}")
    return TEST_POSTGRES_URL


def require_chromium() -> str:
    if not (Path(CHROMIUM_PATH).exists() or shutil.which(CHROMIUM_PATH)):
        unavailable(
            f"Chromium is not installed at {CHROMIUM_PATH} "
            "(apt-get install -y chromium, or set CHROMIUM_PATH)"
        )
    return CHROMIUM_PATH


def require_datasets(*parts: str) -> Path:
    path = SHARED_DATASETS.joinpath(*parts)
    if not path.exists():
        unavailable(f"the shared datasets are not at {path} (set SHARED_DATASETS)")
    return path
