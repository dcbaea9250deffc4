"""Liveness of the parts the site depends on: the database and the task broker."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from kombu import Connection


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says why
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"


def check_broker(*, timeout: float = 2.0) -> str:
    if settings.TASKS_IN_PROCESS:
        return "in-process"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}".strip()
    return "ok"
