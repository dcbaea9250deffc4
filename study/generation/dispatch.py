"""Sending batches to the workers, and saying so in one line when the broker is down.

Tasks are sent by name (``RUN_BATCH_TASK``): ``study.generation.tasks`` imports the
services, so nothing here imports it. A broker that cannot be reached is reported as
:class:`BrokerDown`, whose message names ``CELERY_BROKER_URL`` (password masked) and the
driver's reason, within seconds: the connection is tried once, and ``run_batch`` keeps
no result, so sending never waits on the result store's reconnection loop (20 tries
over 20 s, then "the Celery application must be restarted").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from kombu.exceptions import OperationalError as KombuOperationalError
from kombu.utils.url import maybe_sanitize_url

from study.celery import app as celery_app

# The Celery task that runs one batch (study.generation.tasks), sent by this name.
RUN_BATCH_TASK = "generation.run_batch"
# How long a command waits for the broker to answer before saying it is down.
BROKER_CHECK_TIMEOUT_S = 4.0
# What sending a message raises when the broker cannot be reached.
SEND_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, ConnectionError, OSError)


class BrokerDown(RuntimeError):
    """The broker cannot be reached; the message names CELERY_BROKER_URL."""


def broker_down(exc: BaseException) -> BrokerDown:
    """A one-line BrokerDown for the driver's error ``exc``."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    url = maybe_sanitize_url(settings.CELERY_BROKER_URL)
    return BrokerDown(
        f"cannot reach the Celery broker at CELERY_BROKER_URL={url} ({reason}); start it, "
        "or unset CELERY_BROKER_URL to run the tasks in-process"
    )


def check_broker() -> None:
    """Raise BrokerDown unless the broker answers (nothing to check for in-process tasks)."""
    if settings.TASKS_IN_PROCESS:
        return
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=BROKER_CHECK_TIMEOUT_S)
    except Exception as exc:  # kombu and the driver raise several kinds; all mean "down"
        raise broker_down(exc) from None


def send_batch(*, job_id: int, batch: int, queue: str) -> None:
    """Send one batch to ``queue`` (in-process: run it now); BrokerDown if it cannot go."""
    try:
        _task(RUN_BATCH_TASK).apply_async(args=[job_id, batch], queue=queue)
    except SEND_ERRORS as exc:
        if settings.TASKS_IN_PROCESS:
            raise  # the task itself failed in this process: not the broker's doing
        raise broker_down(exc) from None


def _task(name: str) -> Any:
    """The Celery task registered as ``name``, found by name.

    A worker registers every app's tasks when it starts; another process (the web
    server, a command, in-process runs without a broker) has them imported on first
    use, by the same discovery, so the task runs the same way (eagerly in-process
    when ``CELERY_BROKER_URL`` is unset).
    """
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    return celery_app.tasks[name]
