from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from study.catalog.models import Output, SourceImage
from study.generation.models import GenerationJob
from study.generation.selectors import JobCounts, job_failures, job_progress
from tests.study.generation.helpers import make_dataset, temp_files, tiny_srresnet

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_fails_the_corrupt_image_alone_and_finishes_the_rest(
    celery_worker_factory, tmp_path, media_root
):
    make_dataset(tmp_path, count=4)
    broken = SourceImage.objects.get(name="img1")
    # The stored LR file is damaged after import (a bad disk, a truncated copy).
    (media_root / broken.lr.name).write_bytes(b"this is not a PNG")
    weights = tiny_srresnet(tmp_path)
    celery_worker_factory(SRMODELS_DEVICE="cpu")

    err = StringIO()
    with pytest.raises(CommandError, match=r"job \d+: 1 image\(s\) failed: img1$"):
        call_command(
            "generate_outputs", "Tiny", "srresnet-mse", "--weights", str(weights),
            "--batch-size", "4", "--wait", "--timeout", "120", stdout=StringIO(), stderr=err,
        )  # fmt: skip

    job = GenerationJob.objects.get()
    assert job.status == "failed"
    assert job.finished_at is not None
    assert job_progress(job_id=job.pk) == JobCounts(done=3, failed=1)
    error = "datasets/Tiny/lr/img1.png: not an image file (or a format Pillow cannot read)"
    assert job_failures(job_id=job.pk) == [("img1", error)]
    assert f"failed: img1: {error}" in err.getvalue()
    item = job.items.get(image=broken)
    assert (item.status, item.attempts, item.finished_at is not None) == ("failed", 1, True)
    # Its batch mates were stored; the broken image has no output and no file.
    assert sorted(
        Output.objects.filter(method__key="srresnet-mse").values_list("image__name", flat=True)
    ) == ["img0", "img2", "img3"]
    assert not (media_root / "outputs/Tiny/srresnet-mse/img1.png").exists()
    assert temp_files(media_root) == []
