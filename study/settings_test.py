"""Settings for the test suite: the real settings with a test-only secret key.

The SQLite test database is a file, not memory, so that worker processes and
live servers started by tests see the same data.
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "tests-only-insecure-key")

from study.settings import *  # noqa: F403
from study.settings import BASE_DIR, DATABASES

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # One file per test run, so concurrent runs never share (and break) a database;
    # child processes get its path through tests.conftest.subprocess_env.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
