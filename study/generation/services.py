"""Generation: one job per request, one Celery task per batch of images, one output per image.

``generate_outputs`` records a :class:`GenerationJob` with one item per image and
enqueues ``generation.run_batch`` once per batch (job id and batch number only),
by name, after the job's transaction commits. ``run_batch`` is what a task runs, on a worker or
in-process: it reads the LR and HR images through Django's storage, upscales the batch
with :class:`srmodels.engine.Upscaler` (loaded once per process and kept, keyed by
method and weights checksum), measures every output against its HR and stores it.

Storing one output is one step that either happens completely or not at all:

1. the PNG is written complete under a hidden temporary name next to its final name
   (``.tmp-item<item id>-<random>-<image>.png``);
2. in one transaction, holding a lock on the source image (``select_for_update`` on
   PostgreSQL; SQLite's ``IMMEDIATE`` transactions serialise writers), the service
   checks that the item is still pending and that no equivalent output appeared
   meanwhile, creates or updates the Output row, moves the file into place and marks
   the item done;
3. if the item was settled by someone else (a redelivered batch, a second job for the
   same method), the temporary file is deleted and nothing is published, so a lost race
   never leaves a file without a row.

That makes a batch idempotent: Celery's late acknowledgement may deliver it again after
a worker dies, and the second delivery finds the finished items settled and redoes only
the others. A worker killed while writing can leave a ``.tmp-item*`` file; the job
removes those of its items when it finishes. A run holds a lease on its items, renewed
while it runs (``leases``): the workers send a batch whose lease expired again, so a
killed worker's batch runs again within minutes, not after the visibility timeout.

``generate_outputs`` asks the broker first and records nothing when it is down
(``dispatch.BrokerDown``, one line naming ``CELERY_BROKER_URL``); a batch that still
cannot be sent after the commit fails its items, so no job waits forever.

Errors are kept apart by kind: a bad image (unreadable LR, wrong size) fails its own
item with the message; a problem of the whole batch (weights missing on the worker)
fails the batch's items; only the named transient errors in ``TRANSIENT_ERRORS``
(database or connection trouble) escape, so that the task retries them with backoff.
"""

from __future__ import annotations

import functools
import logging
import os
import posixpath
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from srmodels.hardware import resolve_device
from srmodels.registry import MethodSpec, UnknownMethodError, find_weights, get_method
from srmodels.weights import WeightsError, read_meta, sha256_file
from study.catalog import imaging
from study.catalog.models import Dataset, Output, SourceImage
from study.catalog.services import OutputRow, ensure_method, write_outputs
from study.catalog.storage import TEMP_PREFIX, StagedFile, output_path, read_bytes
from study.generation import dispatch
from study.generation.leases import Lease
from study.generation.models import GenerationItem, GenerationJob
from study.protocol.selectors import output_has_ratings

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 8
# The Celery task that runs one batch (study.generation.tasks), enqueued by this name.
RUN_BATCH_TASK = dispatch.RUN_BATCH_TASK
# Errors that say "try again later", not "this input is bad": the task retries them
# with exponential backoff. Anything else fails the item (or the batch) with its text.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)
# Models kept per worker process. Two covers the common "regenerate A, then B" and
# keeps GPU memory bounded when a worker serves many methods.
MODEL_CACHE_SIZE = 2

Status = GenerationItem.Status


class GenerationError(ValueError):
    """A request that cannot become a job (unknown dataset or method, missing weights).

    Raised before anything is recorded; the message names the offending value.
    """


# --- recording and enqueueing a job ------------------------------------------------


def generate_outputs(
    *,
    dataset: Dataset | str,
    method: str,
    weights: str | os.PathLike | None = None,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> GenerationJob:
    """Record a job for every image of ``dataset`` and enqueue one task per batch.

    Images that already have an output of ``method`` from the same weights (or an
    imported one) are recorded as skipped and not enqueued, unless ``force``. Model
    methods go to the ``gpu`` queue, interpolations to ``cpu``. The tasks are sent
    when the job's transaction commits; without a broker they run in-process before
    this function returns. Raises GenerationError, with the registry's message for
    missing weights or naming CELERY_BROKER_URL when the broker does not answer, before
    recording anything. A batch that cannot be sent after all fails its items, and
    GenerationError says so once the job's transaction has committed.
    """
    dataset_row = _dataset(dataset)
    spec = _method_spec(method)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise GenerationError(f"batch size must be a positive integer, got {batch_size!r}")
    weights_path, checksum = _weights(spec, weights, scale=dataset_row.scale)
    try:
        dispatch.check_broker()
    except dispatch.BrokerDown as exc:
        raise GenerationError(f"{exc}; nothing was recorded") from None
    images = list(dataset_row.images.order_by("name"))
    if not images:
        raise GenerationError(f"dataset {dataset_row.name!r} has no images")
    existing = {
        output.image_id: output
        for output in Output.objects.filter(image__dataset=dataset_row, method__key=spec.key)
    }
    queue = settings.CELERY_GPU_QUEUE if spec.needs_weights else settings.CELERY_CPU_QUEUE
    now = timezone.now()
    with transaction.atomic():
        job = GenerationJob.objects.create(
            dataset=dataset_row,
            method=ensure_method(key=spec.key),
            weights_path=str(weights_path) if weights_path else "",
            weights_checksum=checksum,
            batch_size=batch_size,
            force=force,
            queue=queue,
        )
        todo = [image for image in images if force or not _reusable(existing.get(image.pk), job)]
        todo_ids = {image.pk for image in todo}
        # Batches are numbered from 1; batch 0 holds the images skipped up front.
        items = [
            GenerationItem(job=job, image=image, batch=index // batch_size + 1)
            for index, image in enumerate(todo)
        ]
        items += [
            GenerationItem(job=job, image=image, batch=0, status=Status.SKIPPED, finished_at=now)
            for image in images
            if image.pk not in todo_ids
        ]
        GenerationItem.objects.bulk_create(items)
        batches = sorted({item.batch for item in items if item.status == Status.PENDING})
        if not batches:
            job.status = GenerationJob.Status.DONE
            job.started_at = job.finished_at = now
            job.save(update_fields=["status", "started_at", "finished_at"])
        sender = _Sender(job_id=job.pk, queue=queue)
        for batch in batches:
            transaction.on_commit(functools.partial(sender.send, batch))
    if sender.error is not None:
        raise GenerationError(
            f"job {job.pk}: {sender.error}; its {sender.unsent} unsent batch(es) failed"
        )
    return job


@dataclass
class _Sender:
    """Sends a job's batches once its rows are committed (``transaction.on_commit``).

    After the first batch that cannot be sent, the others are not tried: they fail
    their items at once, so the job finishes (failed) instead of waiting forever.
    """

    job_id: int
    queue: str
    error: str | None = None
    unsent: int = 0

    def send(self, batch: int) -> None:
        if self.error is None:
            try:
                dispatch.send_batch(job_id=self.job_id, batch=batch, queue=self.queue)
                return
            except dispatch.BrokerDown as exc:
                self.error = str(exc)
        self.unsent += 1
        fail_batch(job_id=self.job_id, batch=batch, error=f"not sent to a worker: {self.error}")


def _dataset(dataset: Dataset | str) -> Dataset:
    if isinstance(dataset, Dataset):
        return dataset
    row = Dataset.objects.filter(name=dataset).first()
    if row is None:
        known = ", ".join(Dataset.objects.values_list("name", flat=True)) or "none"
        raise GenerationError(
            f"unknown dataset {dataset!r} (known: {known}); import it first with import_dataset"
        )
    return row


def _method_spec(method: str) -> MethodSpec:
    try:
        return get_method(str(method).strip().lower())
    except UnknownMethodError as exc:
        raise GenerationError(
            f"{exc}. Outputs of other methods (the HR reference, published results) are "
            "imported with import_outputs, not generated"
        ) from None


def _weights(
    spec: MethodSpec, weights: str | os.PathLike | None, *, scale: int
) -> tuple[Path | None, str]:
    """The resolved weights file and its SHA-256, checked against the method and scale."""
    try:
        path = find_weights(spec.key, weights)
    except (FileNotFoundError, ValueError) as exc:  # MissingWeightsError is a FileNotFoundError
        raise GenerationError(str(exc)) from None
    if path is None:
        return None, ""
    path = path.resolve()
    try:
        meta = read_meta(path)
    except WeightsError as exc:
        raise GenerationError(str(exc)) from None
    if meta.get("method", spec.key) != spec.key:
        raise GenerationError(
            f"weights file {path} holds method {meta['method']!r}, not {spec.key!r}: "
            "its outputs would be mislabelled"
        )
    if meta.get("arch") != spec.arch:
        raise GenerationError(
            f"weights file {path} holds a {meta.get('arch')!r} network; "
            f"method {spec.key!r} needs {spec.arch!r}"
        )
    trained = meta.get("scale", (meta.get("arch_args") or {}).get("scale"))
    if trained is not None and int(trained) != scale:
        raise GenerationError(
            f"weights file {path} was trained for x{trained}; the dataset is x{scale}"
        )
    return path, sha256_file(path)


def _reusable(output: Output | None, job: GenerationJob) -> bool:
    """Whether an existing output stands for this job's (method, weights): then skip it.

    Generated outputs count when their weights checksum matches (interpolations and
    the outputs made on import have none); an imported output is a published result
    and is only replaced on request (``force``).
    """
    if output is None:
        return False
    if output.origin != Output.Origin.GENERATED:
        return True
    return output.weights_checksum == job.weights_checksum


# --- running one batch ------------------------------------------------------------


@dataclass
class BatchResult:
    """What one run of a batch did (the task's return value, JSON-safe)."""

    job: int
    batch: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    already: int = 0  # items settled before this run (a redelivered batch)
    elsewhere: int = 0  # pending items that another live run holds (its lease)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Work:
    """One pending item on its way through the batch."""

    item: GenerationItem
    lr: np.ndarray | None = None
    hr: np.ndarray | None = None
    sr: np.ndarray | None = None
    rendered: imaging.RenderedOutput | None = None
    error: str | None = None
    # This item's own time: decoding, its share of the model's batch, rendering, and
    # storing (counted from ``store_started`` when the item is marked).
    seconds: float = 0.0
    store_started: float | None = None


def run_batch(*, job_id: int, batch: int) -> BatchResult:
    """Generate, measure and store the outputs of one batch of a job; settle every item.

    Safe to run again (a redelivered task): settled items are left alone, and an item
    whose output appeared meanwhile is marked skipped without writing anything.
    Raises only the errors in ``TRANSIENT_ERRORS``.
    """
    result = BatchResult(job=job_id, batch=batch)
    job = GenerationJob.objects.select_related("dataset", "method").filter(pk=job_id).first()
    if job is None:
        log.warning("generation job %s no longer exists; batch %s ignored", job_id, batch)
        return result
    items = list(job.items.filter(batch=batch).select_related("image").order_by("image__name"))
    pending = [item for item in items if item.status == Status.PENDING]
    result.already = len(items) - len(pending)
    if pending:
        with Lease(pending) as lease:
            result.elsewhere = len(pending) - len(lease.held)
            _run_held(job, lease.held, result)
    finish_job_if_complete(job_id=job_id)
    return result


def _run_held(job: GenerationJob, held: list[GenerationItem], result: BatchResult) -> None:
    """Run the items this run holds; an error of the whole batch fails them all."""
    if not held:
        return
    _start(job, held)
    try:
        _run(job, held, result)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        # Not an image's fault (weights missing on this worker, a bug): the batch's
        # remaining items fail with the reason instead of hanging the job forever.
        log.exception("generation job %s batch %s failed", job.pk, held[0].batch)
        message = _describe(exc)
        for item in held:
            if _settle(item, Status.FAILED, error=message, context=_context(None)):
                result.failed += 1


def _start(job: GenerationJob, items: Sequence[GenerationItem]) -> None:
    now = timezone.now()
    GenerationJob.objects.filter(pk=job.pk, started_at__isnull=True).update(started_at=now)
    GenerationJob.objects.filter(pk=job.pk, status=GenerationJob.Status.PENDING).update(
        status=GenerationJob.Status.RUNNING
    )
    GenerationItem.objects.filter(pk__in=[item.pk for item in items]).update(
        attempts=F("attempts") + 1
    )


def _run(job: GenerationJob, items: list[GenerationItem], result: BatchResult) -> None:
    # Items whose output already exists need no model (and no model load).
    works = []
    for item in items:
        outcome = _settle_if_reusable(job, item)
        if outcome is None:
            works.append(_Work(item))
        else:
            _count(result, outcome)
    if not works:
        return
    upscaler = _upscaler(job)
    context = _context(upscaler)
    pool = _pool()
    list(pool.map(_decode, works))
    ready = [work for work in works if work.error is None]
    if ready:
        started = time.perf_counter()
        upscaler.batch_size = job.batch_size
        outputs = _upscale(upscaler, [work.lr for work in ready])
        share = (time.perf_counter() - started) / len(ready)
        for work, output in zip(ready, outputs, strict=True):
            work.seconds += share
            if isinstance(output, BaseException):
                work.error = _describe(output)
            else:
                work.sr = output
        scale = job.dataset.scale
        upscaled = [work for work in ready if work.sr is not None]
        list(pool.map(lambda work: _render(work, scale), upscaled))
    for work in works:
        if work.error is not None:
            outcome = _settle(
                work.item, Status.FAILED, error=work.error, context=context, work=work
            )
            _count(result, Status.FAILED if outcome else None)
            continue
        try:
            outcome = _store(job, work, context)
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # a storage or row error of this image only
            log.exception("storing %s failed", work.item.image)
            outcome = (
                Status.FAILED
                if _settle(
                    work.item, Status.FAILED, error=_describe(exc), context=context, work=work
                )
                else None
            )
        _count(result, outcome)


def _count(result: BatchResult, outcome: str | None) -> None:
    if outcome == Status.DONE:
        result.done += 1
    elif outcome == Status.SKIPPED:
        result.skipped += 1
    elif outcome == Status.FAILED:
        result.failed += 1
    else:
        result.already += 1


def _decode(work: _Work) -> None:
    """LR (the model's input) and HR (for the metrics) of one item, through storage."""
    image = work.item.image
    started = time.perf_counter()
    try:
        work.lr = _read_image(image.lr.name)
        work.hr = _read_image(image.hr.name)
    except Exception as exc:
        work.error = _describe(exc)
    work.seconds += time.perf_counter() - started


def _read_image(name: str) -> np.ndarray:
    from srmodels.imageio import decode_image

    try:
        data = read_bytes(name)
    except OSError as exc:
        raise OSError(f"{name}: cannot read the stored image ({exc.strerror or exc})") from None
    return decode_image(data, name=name)


def _upscale(upscaler: Any, images: list[np.ndarray]) -> list[np.ndarray | BaseException]:
    """The upscaled images; on accelerator out-of-memory, the batch is split in halves.

    The engine already retries an oversized image in tiles; an image that fails even
    alone gets the error in its place, so only that item fails.
    """
    import torch

    try:
        return list(upscaler.upscale(images))
    except torch.OutOfMemoryError as exc:
        if upscaler.device != "cpu":
            torch.cuda.empty_cache()
        if len(images) == 1:
            return [exc]
        log.warning("out of memory on %s: splitting a batch of %d", upscaler.device, len(images))
        half = len(images) // 2
        return _upscale(upscaler, images[:half]) + _upscale(upscaler, images[half:])


def _render(work: _Work, scale: int) -> None:
    """PNG bytes, checksum and PSNR / SSIM / daala SSIM against HR (pixel work, no DB)."""
    assert work.sr is not None
    assert work.hr is not None
    if work.sr.shape != work.hr.shape:
        work.error = (
            f"{work.item.image}: the output is {work.sr.shape[1]}x{work.sr.shape[0]}, "
            f"the HR image {work.hr.shape[1]}x{work.hr.shape[0]}"
        )
        return
    started = time.perf_counter()
    try:
        work.rendered = imaging.render_output(work.sr, work.hr, scale=scale)
    except Exception as exc:
        work.error = _describe(exc)
    work.seconds += time.perf_counter() - started


# --- storing one output ----------------------------------------------------------------


def _temp_prefix(item_id: int) -> str:
    return f"{TEMP_PREFIX}item{item_id}-"


def _store(job: GenerationJob, work: _Work, context: dict[str, str]) -> str | None:
    """Write the output under a temporary name, then row + file + item in one transaction.

    Returns the item's new status, or None when another run had already settled it.
    """
    item, rendered = work.item, work.rendered
    assert rendered is not None
    work.store_started = time.perf_counter()
    name = output_path(job.dataset.name, job.method.key, item.image.name)
    folder, base = posixpath.split(name)
    temp = posixpath.join(folder, f"{_temp_prefix(item.pk)}{uuid.uuid4().hex[:12]}-{base}")
    storage = default_storage
    # save() returns the name it actually wrote (it never overwrites).
    staged = StagedFile(
        name=name, temp=storage.save(temp, ContentFile(rendered.png)), storage=storage
    )
    outcome: str | None = None
    try:
        with transaction.atomic():
            _lock_image(item.image_id)
            status = GenerationItem.objects.filter(pk=item.pk).values_list("status", flat=True)
            if status.first() != Status.PENDING:
                outcome = None
            else:
                existing = Output.objects.filter(
                    image_id=item.image_id, method_id=job.method_id
                ).first()
                if existing is not None and not job.force and _reusable(existing, job):
                    outcome = Status.SKIPPED
                    _mark(item, Status.SKIPPED, context=context, work=work)
                elif existing is not None and output_has_ratings(output_id=existing.pk):
                    outcome = Status.FAILED
                    _mark(
                        item,
                        Status.FAILED,
                        error=f"the {job.method.key} output of {item.image} has ratings in a "
                        "study; it is never replaced",
                        context=context,
                        work=work,
                    )
                else:
                    outcome = _write_row(job, item, existing, staged, rendered)
                    _mark(item, outcome, context=context, work=work)
    except BaseException:
        staged.discard()
        raise
    if not staged.published:
        staged.discard()
    return outcome


def _lock_image(image_id: int) -> None:
    """Serialise the writers of one image's outputs until the transaction ends."""
    list(SourceImage.objects.select_for_update().filter(pk=image_id).values_list("pk"))


def _write_row(
    job: GenerationJob,
    item: GenerationItem,
    existing: Output | None,
    staged: StagedFile,
    rendered: imaging.RenderedOutput,
) -> str:
    row = OutputRow.rendered(
        rendered,
        image_id=item.image_id,
        method_id=job.method_id,
        file=staged.name,
        origin=Output.Origin.GENERATED,
        weights_checksum=job.weights_checksum,
        source=f"generate_outputs job {job.pk}"
        + (f": {job.weights_path}" if job.weights_path else ""),
    )
    if existing is None:
        try:
            # A savepoint: a writer that does not take the image lock (import_outputs)
            # may have inserted the row; then this output is not needed.
            with transaction.atomic():
                write_outputs(rows=[row])
        except IntegrityError:
            return Status.SKIPPED
    else:
        write_outputs(rows=[row], replace=existing)
    staged.existed = staged.storage.exists(staged.name)
    # Last step of the transaction: if the commit fails, StagedFile.discard removes a
    # newly published file again.
    staged.publish()
    return Status.DONE


def _settle_if_reusable(job: GenerationJob, item: GenerationItem) -> str | None:
    """Skip an item whose output exists already (redelivery, a parallel job), before any work."""
    if job.force:
        return None
    existing = Output.objects.filter(image_id=item.image_id, method_id=job.method_id).first()
    if not _reusable(existing, job):
        return None
    settled = _settle(item, Status.SKIPPED, context=_context(None))
    return Status.SKIPPED if settled else "already"


def _mark(
    item: GenerationItem,
    status: str,
    *,
    context: dict[str, str],
    error: str = "",
    work: _Work | None = None,
) -> int:
    duration = None
    if work is not None:
        seconds = work.seconds
        if work.store_started is not None:
            seconds += time.perf_counter() - work.store_started
        duration = round(seconds * 1000)
    return GenerationItem.objects.filter(pk=item.pk, status=Status.PENDING).update(
        status=status,
        error=error[:10_000],
        duration_ms=duration,
        finished_at=timezone.now(),
        **context,
    )


def _settle(
    item: GenerationItem,
    status: str,
    *,
    context: dict[str, str],
    error: str = "",
    work: _Work | None = None,
) -> bool:
    """Mark a pending item; False when another run settled it first."""
    return bool(_mark(item, status, context=context, error=error, work=work))


# --- finishing a job ---------------------------------------------------------------


def finish_job_if_complete(*, job_id: int) -> bool:
    """Close the job once no item is pending: done, or failed if any item failed.

    Only one caller wins (the job row is locked and must be unfinished); it then
    removes temporary files that killed attempts of the job's items left behind.
    """
    with transaction.atomic():
        # No select_related: on PostgreSQL that would lock the dataset and method rows too.
        job = (
            GenerationJob.objects.select_for_update()
            .filter(pk=job_id, finished_at__isnull=True)
            .first()
        )
        if job is None or job.items.filter(status=Status.PENDING).exists():
            return False
        failed = job.items.filter(status=Status.FAILED).exists()
        job.status = GenerationJob.Status.FAILED if failed else GenerationJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
    _remove_leftovers(job)
    return True


def _remove_leftovers(job: GenerationJob) -> None:
    folder = posixpath.dirname(output_path(job.dataset.name, job.method.key, "x"))
    storage = default_storage
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    prefixes = tuple(_temp_prefix(pk) for pk in job.items.values_list("pk", flat=True).iterator())
    for name in files:
        if name.startswith(prefixes):
            try:
                storage.delete(posixpath.join(folder, name))
            except OSError:
                log.warning("could not remove the leftover %s/%s", folder, name)


# --- the worker process's models -------------------------------------------------------

_MODELS: OrderedDict[tuple[str, str, int, str], Any] = OrderedDict()
_MODELS_LOCK = Lock()
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    """Threads for decoding and PNG encoding + metrics: NumPy, Pillow and zlib release the GIL."""
    global _POOL
    if _POOL is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        _POOL = ThreadPoolExecutor(max_workers=min(8, cpus or 1), thread_name_prefix="generation")
    return _POOL


def _upscaler(job: GenerationJob) -> Any:
    """This process's Upscaler for the job's method and weights, loaded on first use.

    Keyed by (method, weights checksum, scale, device): a job whose weights file
    changed after it was recorded gets an error instead of another model's outputs.
    """
    from srmodels.engine import Upscaler

    # srmodels reads SRMODELS_DEVICE itself, strictly (one reader of the setting).
    device = str(resolve_device(None))
    key = (job.method.key, job.weights_checksum, job.dataset.scale, device)
    with _MODELS_LOCK:
        upscaler = _MODELS.get(key)
        if upscaler is not None:
            _MODELS.move_to_end(key)
            return upscaler
        spec = get_method(job.method.key)
        if spec.needs_weights:
            path = _worker_weights(job, spec)
            upscaler = Upscaler(spec, scale=job.dataset.scale, weights=path, device=device)
            if upscaler.weights_checksum != job.weights_checksum:
                raise WeightsError(
                    f"weights file {path} on {socket.gethostname()} has SHA-256 "
                    f"{upscaler.weights_checksum[:12]}..., job {job.pk} was recorded for "
                    f"{job.weights_checksum[:12]}...: the file changed; run generate_outputs again"
                )
        else:
            upscaler = Upscaler(spec, scale=job.dataset.scale)
        _MODELS[key] = upscaler
        while len(_MODELS) > MODEL_CACHE_SIZE:
            _MODELS.popitem(last=False)
        log.info("loaded %r for job %s", upscaler, job.pk)
        return upscaler


def _worker_weights(job: GenerationJob, spec: MethodSpec) -> Path:
    """The job's weights file on this machine: its recorded path, else the search path."""
    recorded = Path(job.weights_path) if job.weights_path else None
    if recorded is not None and recorded.is_file():
        return recorded
    try:
        found = find_weights(spec.key)
    except FileNotFoundError as exc:
        raise WeightsError(
            f"job {job.pk}: weights file {job.weights_path or '(none recorded)'} does not exist "
            f"on worker host {socket.gethostname()}, and the search path has none: {exc}"
        ) from None
    assert found is not None
    return found


def _context(upscaler: Any) -> dict[str, str]:
    context = {"worker_host": socket.gethostname()[:200], "device": _device_name(upscaler)}
    if upscaler is not None:
        described = upscaler.describe()
        context["precision"] = (
            f"{described['precision']} ({described['precision_reason']}) on {described['hardware']}"
        )[:200]
    return context


def _device_name(upscaler: Any) -> str:
    if upscaler is None:
        return ""
    device = str(upscaler.device)
    if device.startswith("cuda"):
        import torch

        index = torch.device(device).index
        index = torch.cuda.current_device() if index is None else index
        device = f"cuda:{index} {torch.cuda.get_device_name(index)}"
    return device[:200]


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    # srmodels and storage errors name the file; other errors get their type for context.
    return text if isinstance(exc, ValueError | OSError) else f"{type(exc).__name__}: {text}"


def fail_batch(*, job_id: int, batch: int, error: str) -> int:
    """Fail a batch's pending items (the task gave up on a transient error); returns how many."""
    count = GenerationItem.objects.filter(job_id=job_id, batch=batch, status=Status.PENDING).update(
        status=Status.FAILED, error=error[:10_000], finished_at=timezone.now()
    )
    finish_job_if_complete(job_id=job_id)
    return count
