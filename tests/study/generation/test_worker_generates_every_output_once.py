from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output, SourceImage
from study.generation.models import GenerationItem, GenerationJob
from study.generation.selectors import JobCounts, job_progress, job_run
from tests.study.generation.helpers import make_dataset, stored_files, tiny_srresnet

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_generates_bicubic_and_srresnet_on_a_real_worker(
    celery_worker_factory, tmp_path, media_root, settings
):
    make_dataset(tmp_path, count=3)
    imported = {o.image.name: o.psnr for o in Output.objects.filter(method__key="bicubic")}
    weights = tiny_srresnet(tmp_path, blocks=2)
    worker = celery_worker_factory(
        queues=f"{settings.CELERY_GPU_QUEUE},{settings.CELERY_CPU_QUEUE}", SRMODELS_DEVICE="cpu"
    )

    out = StringIO()
    for args in (
        ["bicubic", "--force"],
        ["srresnet-mse", "--weights", str(weights), "--batch-size", "2"],
    ):
        call_command(
            "generate_outputs", "Tiny", *args, "--wait", "--timeout", "120",
            stdout=out, stderr=StringIO(),
        )  # fmt: skip
    assert out.getvalue().count("3 generated, 0 skipped (output exists), 0 failed") == 2

    bicubic, srresnet = GenerationJob.objects.order_by("pk")
    assert (bicubic.queue, srresnet.queue) == (settings.CELERY_CPU_QUEUE, settings.CELERY_GPU_QUEUE)
    for job in (bicubic, srresnet):
        assert job.status == "done"
        assert job_progress(job_id=job.pk) == JobCounts(done=3)
        run = job_run(job_id=job.pk)
        assert (run.hosts, run.devices, run.attempts) == ([socket.gethostname()], ["cpu"], 3)
        assert run.wall is not None
        assert run.mean_item_ms is not None
    assert set(GenerationItem.objects.values_list("status", "error")) == {("done", "")}

    images = list(SourceImage.objects.values_list("name", flat=True))
    for method in ("bicubic", "srresnet-mse"):
        outputs = Output.objects.filter(method__key=method).select_related("image")
        assert sorted(o.image.name for o in outputs) == sorted(images)  # once each
        assert all(o.psnr is not None and o.ssim is not None for o in outputs)
        assert sorted(n for n in stored_files(media_root) if f"/{method}/" in n) == sorted(
            f"outputs/Tiny/{method}/{name}.png" for name in images
        )
    for output in Output.objects.filter(method__key="bicubic").select_related("image"):
        # The worker's bicubic is the import's MATLAB bicubic: same pixels, same PSNR.
        assert output.psnr == pytest.approx(imported[output.image.name], abs=1e-9)
    # Two batches of srresnet-mse, one model load in the worker process.
    assert worker.log().count("generation.run_batch") >= 4
    assert worker.log().count("loaded Upscaler(method='srresnet-mse'") == 1
