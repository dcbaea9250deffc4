"""Leases on running batches, so that a batch whose worker died runs again within minutes.

Redis gives a task that a worker took but never acknowledged to another worker only
after ``CELERY_VISIBILITY_TIMEOUT`` (an hour by default, and it must exceed the longest
batch). A worker killed as a whole (SIGKILL, a lost machine) would stall its batch that
long. Leases bound the wait by the time a worker takes to *notice*, not by the longest
batch:

- a run of a batch claims its pending items with one UPDATE (``leased_until`` =
  now + ``LEASE_S``, ``lease_owner`` = this process); items another live run holds are
  left to it;
- while the batch runs, a heartbeat thread renews the lease every ``HEARTBEAT_S``;
- every worker sweeps every ``SWEEP_S`` (``tasks.RequeueExpiredBatches``): a pending
  item whose lease expired belongs to a run that stopped renewing it, so its batch is
  sent again. One UPDATE clears the expired leases, so one sweeper alone sends it.

A batch found dead is therefore sent again at most ``LEASE_S + SWEEP_S`` (90 s) after
its worker's last heartbeat. Storing stays exactly-once whatever runs a batch (see
``services``): a run that was only slow, or the original message that Redis restores an
hour later, finds the items settled and writes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.db.models import Q, QuerySet
from django.utils import timezone

from study.generation.dispatch import BrokerDown, send_batch
from study.generation.models import GenerationItem

log = logging.getLogger(__name__)

# A lease lasts a minute and is renewed four times a minute: a run must miss four
# heartbeats in a row (a database away for a minute) before its batch is sent again,
# and then the second run only repeats work; nothing is stored twice.
LEASE_S = 60
HEARTBEAT_S = 15
SWEEP_S = 30

Status = GenerationItem.Status


class Lease:
    """This run's hold on the pending items of a batch, renewed while it runs.

    ``with Lease(items) as lease:`` claims the items no live run holds (``lease.held``)
    and renews them in a thread until the block ends, then lets go of those still
    pending (a task that retries later claims them again).
    """

    def __init__(self, items: Sequence[GenerationItem]) -> None:
        self.items = list(items)
        self.owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held: list[GenerationItem] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Lease:
        now = timezone.now()
        free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        ids = [item.pk for item in self.items]
        GenerationItem.objects.filter(free, pk__in=ids, status=Status.PENDING).update(
            leased_until=now + timedelta(seconds=LEASE_S), lease_owner=self.owner
        )
        mine = set(self._mine().values_list("pk", flat=True))
        self.held = [item for item in self.items if item.pk in mine]
        # In-process runs have no worker to lose and no sweeper: nothing to renew.
        if self.held and not settings.TASKS_IN_PROCESS:
            self._thread = threading.Thread(target=self._beat, name="generation-lease", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.held:
            try:
                self._mine().update(leased_until=None, lease_owner="")
            except DatabaseError as error:  # the lease then expires; keep the run's own error
                log.warning("could not release the lease %s: %s", self.owner, error)

    def _mine(self) -> QuerySet[GenerationItem]:
        return GenerationItem.objects.filter(lease_owner=self.owner, status=Status.PENDING)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_S):
                try:
                    self._mine().update(leased_until=timezone.now() + timedelta(seconds=LEASE_S))
                except DatabaseError as exc:  # the next beat tries again
                    log.warning("could not renew the lease %s: %s", self.owner, exc)
        finally:
            connections.close_all()  # this thread's own connections


def requeue_expired_batches(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """Send again every batch with a pending item whose lease expired; ``(job, batch)`` sent.

    Such a lease was not renewed for ``LEASE_S``: the run holding it is gone. Its items
    are marked queued (no lease) by one UPDATE per batch, which only one sweeper wins,
    and the batch is sent to its job's queue. If the broker is down the lease is left
    expired, so the next sweep tries again.
    """
    now = now or timezone.now()
    expired = (
        GenerationItem.objects.filter(
            status=Status.PENDING, leased_until__lt=now, job__finished_at__isnull=True
        )
        .values_list("job_id", "batch", "job__queue")
        .distinct()
        .order_by("job_id", "batch")
    )
    sent = []
    for job_id, batch, queue in expired:
        batch_items = GenerationItem.objects.filter(
            job_id=job_id, batch=batch, status=Status.PENDING, leased_until__lt=now
        )
        if not batch_items.update(leased_until=None, lease_owner=""):
            continue  # another sweeper won it
        log.warning(
            "generation job %s batch %s: its worker stopped renewing the lease; sent again",
            job_id,
            batch,
        )
        try:
            send_batch(job_id=job_id, batch=batch, queue=queue)
        except BrokerDown as exc:
            log.error("could not send job %s batch %s again: %s", job_id, batch, exc)
            GenerationItem.objects.filter(
                job_id=job_id, batch=batch, status=Status.PENDING, leased_until__isnull=True
            ).update(leased_until=now)
            break
        sent.append((job_id, batch))
    return sent


def sweep() -> list[tuple[int, int]]:
    """One sweep from a worker's timer: fresh database connections, errors logged."""
    close_old_connections()
    try:
        return requeue_expired_batches()
    except DatabaseError as exc:
        log.warning("the lease sweep could not read the database: %s", exc)
        return []
    finally:
        close_old_connections()
