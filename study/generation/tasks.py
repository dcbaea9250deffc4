"""Celery tasks of the generation app: ids in, one service call, nothing else.

The services enqueue these by name (``services.RUN_BATCH_TASK``) and never import
this module, so the import goes one way: tasks -> services.

``generation.run_batch`` is acknowledged late and rejected (requeued) when its worker
process dies, so a batch interrupted by a crash runs again; the service is idempotent,
which makes that harmless. Only the service's named transient errors are retried, with
exponential backoff; after the last retry the batch's pending items fail with the reason,
so the job still finishes and ``generate_outputs --wait`` returns. Its result is not
kept: progress lives in the database, and sending then never waits on the result store.

Every worker also runs :class:`RequeueExpiredBatches`, which sends again the batches of
workers that died (``leases``).
"""

from __future__ import annotations

import logging
import random
from typing import Any

from celery import bootsteps

from study.celery import app
from study.generation import dispatch, leases, services

log = logging.getLogger(__name__)

MAX_RETRIES = 6
BACKOFF_BASE_S = 5
BACKOFF_MAX_S = 300


def retry_delay(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: 5, 10, 20, ... capped at 300, jittered."""
    delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**retries)
    return delay * random.uniform(0.5, 1.0)


@app.task(
    name=dispatch.RUN_BATCH_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def run_batch(self, job_id: int, batch: int) -> dict[str, int]:
    """Generate and store the outputs of one batch of a generation job."""
    try:
        return services.run_batch(job_id=job_id, batch=batch).as_dict()
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            services.fail_batch(
                job_id=job_id,
                batch=batch,
                error=f"gave up after {self.max_retries} retries: {type(exc).__name__}: {exc}",
            )
            raise
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


class RequeueExpiredBatches(bootsteps.StartStopStep):
    """A worker step: every ``leases.SWEEP_S`` seconds, send again the batches of dead runs.

    It runs on the worker's timer, in the main process (not in a pool process that a
    long batch keeps busy), so an idle or a busy worker alike notices a dead one.
    """

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry: Any = None

    def start(self, worker: Any) -> None:
        self.timer_entry = worker.timer.call_repeatedly(leases.SWEEP_S, leases.sweep)

    def stop(self, worker: Any) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None


app.steps["worker"].add(RequeueExpiredBatches)
