"""Liveness of the parts the site depends on: the database and the task broker.

``/healthz`` is public, so an answer names the part that failed and nothing more; the
driver's message (host names, ports, user names) goes to the server log.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from kombu import Connection

log = logging.getLogger(__name__)

# What /healthz says of a part that failed; the log has the reason.
FAILED = "error: unavailable (the reason is in the server log)"


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        log.error("healthz: the database is unavailable: %s: %s", type(exc).__name__, exc)
        return FAILED
    return "ok"


def check_broker(*, timeout: float = 2.0) -> str:
    if settings.TASKS_IN_PROCESS:
        return "in-process"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        log.error("healthz: the broker is unavailable: %s: %s", type(exc).__name__, exc)
        return FAILED
    return "ok"
