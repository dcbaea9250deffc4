"""Reads of generation jobs: progress counts, failures, where and how fast they ran.

The command's progress bar, the admin and the dashboard all read job progress here,
so "done", "failed" and "pending" mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Q, Sum

from study.catalog.models import Dataset
from study.generation.models import GenerationItem, GenerationJob

Status = GenerationItem.Status


@dataclass(frozen=True)
class JobCounts:
    """Items of one job by status. ``skipped`` items already had their output."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.done + self.skipped + self.failed + self.pending

    @property
    def settled(self) -> int:
        """Items in a final state (done, skipped or failed): the progress bar's position."""
        return self.done + self.skipped + self.failed


def job_counts(*, job_ids: Iterable[int]) -> dict[int, JobCounts]:
    """Done / skipped / failed / pending item counts per job, in one query.

    Every id asked for is in the result (all zeros for a job without items).
    """
    ids = list(job_ids)
    rows = (
        GenerationItem.objects.filter(job_id__in=ids)
        .values("job_id")
        .annotate(
            done=Count("pk", filter=Q(status=Status.DONE)),
            skipped=Count("pk", filter=Q(status=Status.SKIPPED)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
            pending=Count("pk", filter=Q(status=Status.PENDING)),
        )
        .order_by()
    )
    counts = {job_id: JobCounts() for job_id in ids}
    for row in rows:
        counts[row["job_id"]] = JobCounts(
            done=row["done"], skipped=row["skipped"], failed=row["failed"], pending=row["pending"]
        )
    return counts


def job_progress(*, job_id: int) -> JobCounts:
    """The item counts of one job."""
    return job_counts(job_ids=[job_id])[job_id]


@dataclass(frozen=True)
class JobBatches:
    """How a job was split: images to generate, in how many batches, and skipped up front."""

    images: int
    batches: int
    skipped: int


def job_batches(*, job_id: int) -> JobBatches:
    """The job's plan as recorded: batch 0 holds the images skipped when it was created."""
    items = GenerationItem.objects.filter(job_id=job_id)
    planned = items.filter(batch__gt=0)
    return JobBatches(
        images=planned.count(),
        batches=planned.values("batch").distinct().count(),
        skipped=items.filter(batch=0).count(),
    )


def job_failures(*, job_id: int) -> list[tuple[str, str]]:
    """(image name, error) of the job's failed items, by image name."""
    return list(
        GenerationItem.objects.filter(job_id=job_id, status=Status.FAILED)
        .order_by("image__name")
        .values_list("image__name", "error")
    )


@dataclass(frozen=True)
class JobRun:
    """Where and how a job ran: worker hosts, devices, timings."""

    hosts: list[str]
    devices: list[str]
    wall: timedelta | None  # started -> finished (or None while unfinished)
    mean_item_ms: float | None  # mean time per generated image (decode, model, metrics, store)
    total_item_ms: int  # sum of the generated images' times
    attempts: int  # runs of items; above the item count when batches were redelivered


def job_run(*, job_id: int) -> JobRun:
    """Hosts, devices and timings of one job's generated items."""
    job = GenerationJob.objects.get(pk=job_id)
    items = GenerationItem.objects.filter(job_id=job_id)
    hosts = sorted(set(items.exclude(worker_host="").values_list("worker_host", flat=True)))
    devices = sorted(set(items.exclude(device="").values_list("device", flat=True)))
    timing = items.filter(status=Status.DONE).aggregate(
        mean=Avg("duration_ms"), total=Sum("duration_ms")
    )
    attempts = items.aggregate(n=Sum("attempts"))["n"] or 0
    wall = None
    if job.started_at is not None and job.finished_at is not None:
        wall = job.finished_at - job.started_at
    return JobRun(
        hosts=hosts,
        devices=devices,
        wall=wall,
        mean_item_ms=timing["mean"],
        total_item_ms=timing["total"] or 0,
        attempts=attempts,
    )


def jobs_in_progress(
    *, dataset: Dataset | str | None = None, methods: Iterable[str] | None = None
) -> list[GenerationJob]:
    """Unfinished jobs, oldest first, optionally of one dataset and some method keys."""
    jobs = GenerationJob.objects.filter(finished_at__isnull=True).select_related(
        "dataset", "method"
    )
    if isinstance(dataset, Dataset):
        jobs = jobs.filter(dataset=dataset)
    elif dataset is not None:
        jobs = jobs.filter(dataset__name=dataset)
    if methods is not None:
        jobs = jobs.filter(method__key__in=list(methods))
    return list(jobs.order_by("created_at", "pk"))
