"""SIGKILL the worker in the middle of a job; a new worker finishes it, with nothing twice.

How the batch comes back: with ``acks_late`` the message stays in Redis' ``unacked``
hash while the task runs. A worker killed as a whole cannot requeue it (only a dead
*pool child* is requeued at once, by its parent, thanks to ``reject_on_worker_lost``),
so kombu's Redis transport restores it once it is older than the visibility timeout:
every worker checks at start-up and then every ~100 s. The workers here run with the
shortest timeout the settings allow (60 s), and the new worker is started once the
message is that old, so it restores the batch at start-up.
"""

from __future__ import annotations

import time
from io import StringIO

import numpy as np
import pytest
import redis
from django.core.management import call_command

from srmodels.engine import Upscaler
from srmodels.imageio import decode_image
from study.catalog.models import Output, SourceImage
from study.catalog.storage import read_bytes
from study.generation.models import GenerationItem, GenerationJob
from study.generation.selectors import JobCounts, job_progress
from tests.study.catalog.images import write_folder
from tests.study.generation.helpers import stored_files, tiny_srresnet

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

VISIBILITY_TIMEOUT = 60


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_it_finishes_the_job_after_the_worker_is_killed_mid_batch(
    celery_worker_factory, celery_on_redis, tmp_path, media_root
):
    from study.catalog.services import import_dataset

    # img0 and img2 are tiny; img1 is large enough to take a second or more on a CPU,
    # so that the kill below reliably lands while its batch runs.
    write_folder(tmp_path / "hr", {"img0": (32, 32), "img1": (960, 960), "img2": (32, 32)})
    report = import_dataset(name="Tiny", directory=tmp_path / "hr", scale=4, workers=1)
    assert report.imported == ["img0", "img1", "img2"], report.failed
    weights = tiny_srresnet(tmp_path, blocks=16, features=64)
    broker = redis.Redis.from_url(celery_on_redis)
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "SRMODELS_DEVICE": "cpu"}
    first = celery_worker_factory(**env)

    call_command(
        "generate_outputs", "Tiny", "srresnet-mse", "--weights", str(weights),
        "--batch-size", "1", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    job = GenerationJob.objects.get()
    second_item = job.items.get(image__name="img1")

    def in_the_middle() -> bool:
        counts = job_progress(job_id=job.pk)
        second_item.refresh_from_db()
        return counts.done == 1 and second_item.attempts == 1 and broker.hlen("unacked") == 1

    wait_for(in_the_middle, 120, "img0 done and img1's batch running")
    first.kill()

    assert job_progress(job_id=job.pk) == JobCounts(done=1, pending=2)
    second_item.refresh_from_db()
    assert second_item.status == "pending"
    [(_tag, delivered_at)] = broker.zrange("unacked_index", 0, -1, withscores=True)
    # Redis may hold the killed batch's message only; the model's output is not stored.
    assert not (media_root / "outputs/Tiny/srresnet-mse/img1.png").exists()

    time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT + 1 - time.time()))
    second = celery_worker_factory(**env)
    wait_for(
        lambda: GenerationJob.objects.filter(pk=job.pk, finished_at__isnull=False).exists(),
        180,
        "the job to finish on the new worker",
    )

    job.refresh_from_db()
    assert job.status == "done"
    assert job_progress(job_id=job.pk) == JobCounts(done=3)
    attempts = dict(job.items.values_list("image__name", "attempts"))
    assert attempts == {"img0": 1, "img1": 2, "img2": 1}  # img1's batch ran twice
    assert "generation.run_batch" in second.log()
    # The task acknowledges after the service finished the job: wait for it.
    wait_for(lambda: broker.hlen("unacked") == 0, 30, "the last batch to be acknowledged")

    # Every output once, every file complete, nothing temporary left behind.
    assert [n for n in stored_files(media_root) if n.startswith("outputs/Tiny/srresnet-mse")] == [
        f"outputs/Tiny/srresnet-mse/img{i}.png" for i in range(3)
    ]
    upscaler = Upscaler("srresnet-mse", weights=weights, device="cpu")
    for image in SourceImage.objects.all():
        [output] = Output.objects.filter(image=image, method__key="srresnet-mse")
        stored = decode_image(read_bytes(output.file.name), name=output.file.name)
        lr = decode_image(read_bytes(image.lr.name), name=image.lr.name)
        assert np.array_equal(stored, upscaler.upscale([lr])[0])
    assert not [n for n in stored_files(media_root) if "/.tmp-" in f"/{n}"]
    assert GenerationItem.objects.filter(status="done").count() == 3
