from __future__ import annotations

import pytest

from study.catalog.models import Method
from study.generation.models import GenerationItem, GenerationJob
from study.generation.selectors import (
    JobBatches,
    JobCounts,
    job_batches,
    job_counts,
    job_failures,
    jobs_in_progress,
)
from tests.study.generation.helpers import make_dataset

pytestmark = pytest.mark.django_db


def test_it_counts_items_by_status_per_job(tmp_path):
    dataset = make_dataset(tmp_path, count=4)
    images = list(dataset.images.order_by("name"))
    bicubic, nearest = Method.objects.get(key="bicubic"), Method.objects.get(key="nearest")
    busy = GenerationJob.objects.create(dataset=dataset, method=bicubic, queue="cpu")
    statuses = [("done", 1), ("failed", 1), ("pending", 2), ("skipped", 0)]
    for image, (status, batch) in zip(images, statuses, strict=True):
        GenerationItem.objects.create(
            job=busy, image=image, batch=batch, status=status,
            error="boom" if status == "failed" else "",
        )  # fmt: skip
    empty = GenerationJob.objects.create(dataset=dataset, method=nearest, queue="cpu")

    assert job_counts(job_ids=[busy.pk, empty.pk]) == {
        busy.pk: JobCounts(done=1, skipped=1, failed=1, pending=1),
        empty.pk: JobCounts(),
    }
    assert job_counts(job_ids=[busy.pk])[busy.pk].settled == 3
    assert job_counts(job_ids=[busy.pk])[busy.pk].total == 4
    assert job_batches(job_id=busy.pk) == JobBatches(images=3, batches=2, skipped=1)
    assert job_failures(job_id=busy.pk) == [("img1", "boom")]

    assert jobs_in_progress(dataset="Tiny") == [busy, empty]
    assert jobs_in_progress(dataset=dataset, methods=["nearest"]) == [empty]
    assert jobs_in_progress(dataset="Other") == []
    GenerationJob.objects.filter(pk=empty.pk).update(finished_at=busy.created_at)
    assert jobs_in_progress(methods=["nearest", "bicubic"]) == [busy]
