"""With default settings, a live worker finishes a SIGKILLed worker's batch within minutes.

Redis would hand the killed worker's message to another worker only after the
visibility timeout (an hour by default). The batch's lease (``study.generation.leases``)
expires a minute after the dead run's last heartbeat, and the other worker's sweep sends
the batch again; each output is still stored once.
"""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
import redis
from django.core.management import call_command

from study.catalog.models import Output
from study.catalog.services import import_dataset
from study.generation.leases import LEASE_S, SWEEP_S
from study.generation.models import GenerationItem, GenerationJob
from study.generation.selectors import JobCounts, job_progress
from tests.study.catalog.images import write_folder
from tests.study.generation.helpers import stored_files, temp_files, tiny_srresnet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def parent_pid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_another_worker_finishes_the_batch_exactly_once(
    celery_worker_factory, celery_on_redis, tmp_path, media_root, settings
):
    assert settings.CELERY_VISIBILITY_TIMEOUT == 3600  # the default: no help within minutes
    # img1 takes seconds on a CPU, so the kill lands while its batch runs.
    write_folder(tmp_path / "hr", {"img0": (32, 32), "img1": (960, 960), "img2": (32, 32)})
    report = import_dataset(name="Tiny", directory=tmp_path / "hr", scale=4, workers=1)
    assert report.imported == ["img0", "img1", "img2"], report.failed
    weights = tiny_srresnet(tmp_path, blocks=16, features=64)
    workers = [celery_worker_factory(SRMODELS_DEVICE="cpu") for _ in range(2)]

    call_command(
        "generate_outputs", "Tiny", "srresnet-mse", "--weights", str(weights),
        "--batch-size", "1", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    job = GenerationJob.objects.get()
    item = job.items.get(image__name="img1")

    def running_img1() -> str:
        item.refresh_from_db()
        return item.lease_owner if item.status == "pending" else ""

    owner = wait_for(running_img1, 120, "a worker to start img1's batch")
    pool_pid = int(owner.split(":")[1])
    [victim] = [w for w in workers if w.process.pid == parent_pid(pool_pid)]
    victim.kill()
    killed_at = time.monotonic()
    [survivor] = [w for w in workers if w is not victim]
    item.refresh_from_db()
    assert item.status == "pending"
    # The killed worker's message stays unacknowledged in Redis (for an hour).
    assert redis.Redis.from_url(celery_on_redis).hlen("unacked") >= 1

    wait_for(
        lambda: GenerationJob.objects.filter(pk=job.pk, finished_at__isnull=False).exists(),
        300,
        "the surviving worker to finish the job",
    )
    elapsed = time.monotonic() - killed_at
    assert elapsed < 300
    assert elapsed < LEASE_S + SWEEP_S + 60, f"{elapsed:.0f} s"

    job.refresh_from_db()
    assert job.status == "done"
    assert job_progress(job_id=job.pk) == JobCounts(done=3)
    item.refresh_from_db()
    assert item.attempts == 2  # the killed run and the survivor's
    assert "sent again" in survivor.log()
    for image in ("img0", "img1", "img2"):
        assert Output.objects.filter(image__name=image, method__key="srresnet-mse").count() == 1
    assert [n for n in stored_files(media_root) if n.startswith("outputs/Tiny/srresnet-mse")] == [
        f"outputs/Tiny/srresnet-mse/img{i}.png" for i in range(3)
    ]
    assert temp_files(media_root) == []
    assert GenerationItem.objects.filter(status="done").count() == 3
