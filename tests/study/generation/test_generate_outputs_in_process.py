from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.engine import Upscaler
from srmodels.imageio import decode_image
from srmodels.metrics import evaluate_pair
from srmodels.weights import sha256_file
from study.catalog.models import Output, SourceImage
from study.catalog.storage import read_bytes
from study.generation.models import GenerationJob
from study.generation.selectors import JobCounts, job_progress
from tests.study.generation.helpers import make_dataset, temp_files, tiny_srresnet

# Transactional, as in production: the job's tasks run when its transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def test_it_runs_the_job_in_the_calling_process_without_a_broker(tmp_path, media_root, settings):
    assert settings.TASKS_IN_PROCESS
    make_dataset(tmp_path, count=3)
    weights = tiny_srresnet(tmp_path)
    out = StringIO()
    call_command(
        "generate_outputs", "Tiny", "srresnet-mse", "--weights", str(weights),
        "--batch-size", "2", stdout=out, stderr=StringIO(),
    )  # fmt: skip

    job = GenerationJob.objects.get()
    assert (job.status, job.queue, job.batch_size) == ("done", settings.CELERY_GPU_QUEUE, 2)
    assert job.started_at is not None
    assert job.finished_at >= job.started_at
    assert job.weights_checksum == sha256_file(weights)
    assert job_progress(job_id=job.pk) == JobCounts(done=3)
    assert "3 image(s) in 2 batch(es) of up to 2 (ran in-process)" in out.getvalue()
    assert "3 generated, 0 skipped (output exists), 0 failed" in out.getvalue()
    items = list(job.items.order_by("image__name"))
    assert [item.batch for item in items] == [1, 1, 2]
    assert {(i.worker_host, i.device, i.attempts) for i in items} == {
        (socket.gethostname(), "cpu", 1)
    }
    assert all(item.duration_ms is not None and item.error == "" for item in items)

    upscaler = Upscaler("srresnet-mse", weights=weights, device="cpu")
    for image in SourceImage.objects.order_by("name"):
        output = Output.objects.get(image=image, method__key="srresnet-mse")
        assert output.file.name == f"outputs/Tiny/srresnet-mse/{image.name}.png"
        assert (output.origin, output.weights_checksum) == ("generated", job.weights_checksum)
        stored = decode_image(read_bytes(output.file.name), name=output.file.name)
        lr = decode_image(read_bytes(image.lr.name), name="lr")
        hr = decode_image(read_bytes(image.hr.name), name="hr")
        assert (stored == upscaler.upscale([lr])[0]).all()
        assert output.psnr == pytest.approx(evaluate_pair(stored, hr, scale=4)["psnr"], abs=1e-9)
        assert (output.width, output.height) == (image.width, image.height)
    assert temp_files(media_root) == []
