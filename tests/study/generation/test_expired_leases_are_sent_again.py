"""A batch whose run stopped renewing its lease is sent again by the sweep, and stored once.

The worker-level version (a real worker SIGKILLed mid-batch, another finishing it) is
``test_killed_worker_batch_finishes_within_minutes``; this one drives the same sweep
with the clock moved on, in-process (the sent batch runs at once).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from study.catalog.models import Output
from study.generation.leases import LEASE_S, Lease, requeue_expired_batches
from study.generation.models import GenerationItem
from study.generation.selectors import JobCounts, job_progress
from study.generation.services import BatchResult, generate_outputs, run_batch
from tests.study.generation.helpers import make_dataset, temp_files

# Not transactional: the job's tasks are never sent (the test transaction never
# commits), so the test plays the workers' part.
pytestmark = pytest.mark.django_db


def test_it_sends_a_dead_runs_batch_again_and_stores_each_output_once(tmp_path, media_root):
    dataset = make_dataset(tmp_path, count=3)
    job = generate_outputs(dataset=dataset, method="bicubic", force=True, batch_size=2)
    assert job_progress(job_id=job.pk) == JobCounts(pending=3)
    # A worker claimed batch 1 and was killed: its lease is never renewed nor released.
    dead = Lease(list(job.items.filter(batch=1))).__enter__()
    assert len(dead.held) == 2
    now = timezone.now()

    # While the lease runs, the batch is the dead run's; a queued batch (2) is left alone.
    assert requeue_expired_batches(now=now) == []
    assert run_batch(job_id=job.pk, batch=1) == BatchResult(job=job.pk, batch=1, elsewhere=2)
    assert job_progress(job_id=job.pk) == JobCounts(pending=3)

    # Once the lease expired the sweep sends the batch again (here it runs at once).
    later = now + timedelta(seconds=LEASE_S + 1)
    assert requeue_expired_batches(now=later) == [(job.pk, 1)]
    assert requeue_expired_batches(now=later) == []
    assert job_progress(job_id=job.pk) == JobCounts(done=2, pending=1)
    assert run_batch(job_id=job.pk, batch=2) == BatchResult(job=job.pk, batch=2, done=1)

    job.refresh_from_db()
    assert job.status == "done"
    assert Output.objects.filter(method__key="bicubic").count() == 3
    assert dict(job.items.values_list("image__name", "attempts")) == {
        "img0": 1, "img1": 1, "img2": 1,
    }  # fmt: skip
    # The dead run's claim is gone; the late original message changes nothing.
    assert not GenerationItem.objects.filter(lease_owner=dead.owner).exists()
    assert run_batch(job_id=job.pk, batch=1) == BatchResult(job=job.pk, batch=1, already=2)
    assert temp_files(media_root) == []
