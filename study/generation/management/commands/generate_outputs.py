"""``generate_outputs DATASET METHOD``: record a generation job and enqueue its batches."""

from __future__ import annotations

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from study.generation import selectors
from study.generation.models import GenerationJob
from study.generation.services import DEFAULT_BATCH_SIZE, GenerationError, generate_outputs

POLL_S = 0.5


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(f"--batch-size {value!r}: must be a positive integer")
    return number


class Command(BaseCommand):
    help = (
        "Generate METHOD's outputs for every image of DATASET: records a job and sends one "
        "task per batch of images to the gpu queue (interpolations: cpu), or runs them "
        "in-process when no CELERY_BROKER_URL is set. Images that already have an output "
        "from the same weights are skipped unless --force. With --wait (or in-process), "
        "exits non-zero if any image failed, naming it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dataset", help="dataset name, e.g. Set5")
        parser.add_argument("method", help="registry method key, e.g. srresnet-mse or bicubic")
        parser.add_argument(
            "--weights", default=None, help="weights file (default: the registry's search path)"
        )
        parser.add_argument(
            "--force", action="store_true", help="regenerate outputs that already exist"
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=DEFAULT_BATCH_SIZE,
            help=f"images per task and per forward pass (default {DEFAULT_BATCH_SIZE}); a "
            "batch must finish well within CELERY_VISIBILITY_TIMEOUT",
        )
        parser.add_argument("--wait", action="store_true", help="show progress until the job ends")
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="with --wait: give up waiting after this many seconds (the job goes on)",
        )

    def handle(self, *args, **options) -> None:
        try:
            job = generate_outputs(
                dataset=options["dataset"],
                method=options["method"],
                weights=options["weights"],
                force=options["force"],
                batch_size=options["batch_size"],
            )
        except GenerationError as exc:
            raise CommandError(str(exc)) from None
        batches = selectors.job_batches(job_id=job.pk)
        where = "ran in-process" if settings.TASKS_IN_PROCESS else f"queue {job.queue}"
        self.stdout.write(
            f"job {job.pk}: {job.dataset.name} / {job.method.key}: {batches.images} image(s) "
            f"in {batches.batches} batch(es) of up to {job.batch_size} ({where}), "
            f"{batches.skipped} skipped (output exists)"
        )
        job.refresh_from_db()
        if options["wait"] or job.finished_at is not None:
            self._wait(job, options["timeout"])
        else:
            self.stdout.write(
                f"job {job.pk} runs on the workers; follow it in the admin "
                "(Generation jobs) or run the command with --wait"
            )

    def _wait(self, job: GenerationJob, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        counts = selectors.job_progress(job_id=job.pk)
        bar = tqdm(
            total=counts.total,
            desc=f"{job.dataset.name}/{job.method.key}",
            unit="image",
            file=sys.stderr,
            leave=False,
            disable=None,
        )
        try:
            while True:
                counts = selectors.job_progress(job_id=job.pk)
                bar.update(counts.settled - bar.n)
                job.refresh_from_db(fields=["status", "finished_at"])
                if job.finished_at is not None:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise CommandError(
                        f"job {job.pk} not finished after {timeout:g} s "
                        f"({counts.settled} of {counts.total} images); it goes on"
                    )
                time.sleep(POLL_S)
        except KeyboardInterrupt:
            raise CommandError(f"stopped waiting; job {job.pk} goes on") from None
        finally:
            bar.close()
        failures = selectors.job_failures(job_id=job.pk)
        for name, error in failures:
            self.stderr.write(f"failed: {name}: {error}")
        self.stdout.write(
            f"job {job.pk}: {counts.done} generated, {counts.skipped} skipped "
            f"(output exists), {counts.failed} failed"
        )
        if failures:
            names = ", ".join(name for name, _ in failures)
            raise CommandError(f"job {job.pk}: {len(failures)} image(s) failed: {names}")
