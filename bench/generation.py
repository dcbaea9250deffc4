"""End-to-end generation throughput: SRResNet x4 on BSD100, a Celery worker vs a direct loop.

Both paths start from the LR files in storage and end with stored outputs (PNG moved
into place, Output row with PSNR / SSIM / daala SSIM against the stored HR):

- ``direct``: one process, no job tracking: for each batch, read the LR images through
  storage, ``Upscaler.upscale`` them, measure each against its HR and store it with
  ``catalog.services.store_output``
  (what a script using the platform's pieces would do);
- ``celery``: ``generate_outputs`` records a job and sends one ``generation.run_batch``
  task per batch to one real ``celery worker -Q gpu --concurrency 1`` process on Redis;
  timed from the call until the job is finished in the database (polled every 20 ms).

Both are warmed up first (model loaded, CUDA initialised, first batch run) on two
other images, so the figures are steady-state throughput. The network has **random
weights** (SRResNet x4, 16 blocks, saved in the shipped fp16 format): speed does not
depend on their values. The ratio celery / direct is printed; the target is at least
0.85 (the Celery path within 15 % of the direct loop).

The script builds its own throw-away world in a temporary folder: an SQLite database
file (or, with ``BENCH_DATABASE_URL=postgres://...``, a ``test_...`` database created
and dropped), a MEDIA_ROOT, the BSD100 x4 HR/LR pairs from ``../shared/datasets``
imported with ``import_dataset`` (synthetic 480x320 images when absent), and Redis
database 14 (``BENCH_REDIS_URL``; emptied first). On a GPU machine, e.g.::

    python bench/generation.py --device cuda --images 100 --batch-size 16
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASETS = Path(os.environ.get("SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))
BSD100 = DATASETS / "benchmarks" / "BSD100" / "x4"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
METHOD = "srresnet-mse"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=16, help="images per path (default 16)")
    parser.add_argument("--batch-size", type=int, default=8, help="images per task (default 8)")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate direct and celery this many times; medians are reported (default 1)",
    )
    return parser.parse_args(argv)


def setup_django(tmp: Path, device: str) -> dict[str, str]:
    """Configure this process (and return the environment for the worker)."""
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["CELERY_BROKER_URL"] = REDIS_URL
    os.environ["SRMODELS_DEVICE"] = device
    os.environ["DJANGO_SETTINGS_MODULE"] = "study.settings"
    import django

    django.setup()
    return dict(os.environ)


def source_folder(folder: Path, count: int) -> tuple[Path, str, str | None, str]:
    """``count`` HR/LR pairs in ``folder`` (BSD100's, cycled) and how to import them."""
    from srmodels.imageio import save_png

    folder.mkdir(parents=True)
    pairs = sorted(BSD100.glob("*_SRF_4_HR.png")) if BSD100.is_dir() else []
    if pairs:
        for i in range(count):
            hr = pairs[i % len(pairs)]
            stem = hr.name.removesuffix("_SRF_4_HR.png") + (
                f"c{i // len(pairs)}" if i >= 100 else ""
            )
            os.symlink(hr, folder / f"{stem}_SRF_4_HR.png")
            os.symlink(hr.with_name(hr.name.replace("_HR", "_LR")), folder / f"{stem}_SRF_4_LR.png")
        return folder, "{name}_SRF_4_HR.png", "{name}_SRF_4_LR.png", "BSD100 x4 (shared datasets)"
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:320, 0:480]
    for i in range(count):
        f = rng.uniform(0.02, 0.2, size=3)
        image = np.stack(
            [128 + 100 * np.sin(f[c] * x + c) * np.cos(f[c] * y) for c in range(3)], -1
        )
        image += rng.normal(0, 8, image.shape)
        save_png(folder / f"img_{i:03d}.png", np.clip(image, 0, 255).astype(np.uint8))
    return folder, "{name}.png", None, "synthetic 480x320 (BSD100 not found)"


def random_weights(folder: Path) -> Path:
    import torch

    from srmodels.archs import SRResNet
    from srmodels.weights import save_weights

    torch.manual_seed(0)
    tensors, _ = save_weights(folder / METHOD, SRResNet(), meta={"method": METHOD})
    return tensors


def direct(dataset: str, weights: Path, device: str, batch_size: int) -> float:
    """Seconds for the direct loop over the dataset (after a warm-up on other images)."""
    from srmodels.engine import Upscaler
    from srmodels.imageio import decode_image
    from study.catalog.imaging import render_output
    from study.catalog.models import Output, SourceImage
    from study.catalog.services import store_output
    from study.catalog.storage import read_bytes

    upscaler = Upscaler(METHOD, weights=weights, device=device, batch_size=batch_size)

    def run(images: list) -> None:
        for start in range(0, len(images), batch_size):
            chunk = images[start : start + batch_size]
            lrs = [decode_image(read_bytes(i.lr.name), name=i.lr.name) for i in chunk]
            for image, sr in zip(chunk, upscaler.upscale(lrs), strict=True):
                hr = decode_image(read_bytes(image.hr.name), name=image.hr.name)
                store_output(
                    image=image,
                    method_key=METHOD,
                    rendered=render_output(sr, hr, scale=image.dataset.scale),
                    origin=Output.Origin.GENERATED,
                    source="bench direct loop",
                    previous=None,
                    weights_checksum=upscaler.weights_checksum,
                )

    run(list(SourceImage.objects.filter(dataset__name="warmup").select_related("dataset")))
    images = list(SourceImage.objects.filter(dataset__name=dataset).select_related("dataset"))
    start = time.perf_counter()
    run(images)
    return time.perf_counter() - start


def forget_outputs() -> None:
    """Remove the direct loop's outputs (rows and files) so the Celery path redoes the work."""
    from django.core.files.storage import default_storage

    from study.catalog.models import Output

    for output in Output.objects.filter(method__key=METHOD):
        default_storage.delete(output.file.name)
        output.delete()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "study", "worker", "-Q", "gpu",
        "--concurrency", "1", "--pool", "prefork", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "--loglevel", "INFO", "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return process


def through_celery(dataset: str, weights: Path, batch_size: int) -> tuple[float, int]:
    """Seconds from generate_outputs until the job is finished; and the failed count."""
    from study.generation.models import GenerationJob
    from study.generation.selectors import job_progress
    from study.generation.services import generate_outputs

    def run(name: str) -> tuple[float, int]:
        start = time.perf_counter()
        job = generate_outputs(dataset=name, method=METHOD, weights=weights, batch_size=batch_size)
        finished = GenerationJob.objects.filter(pk=job.pk, finished_at__isnull=False)
        while not finished.exists():
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        return elapsed, job_progress(job_id=job.pk).failed

    run("warmup")
    return run(dataset)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        print(f"Redis is not reachable at {REDIS_URL} ({exc}): the Celery path needs it.")
        print("Start redis-server or set BENCH_REDIS_URL; nothing was measured.")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-generation-"))
    worker = None
    state = None
    try:
        env = setup_django(tmp, args.device)
        from django.core.management import call_command
        from django.db import connection

        from study.catalog.services import import_dataset

        if connection.vendor != "sqlite":
            from django.test.utils import setup_databases

            state = setup_databases(verbosity=0, interactive=False)
            params = connection.settings_dict
            env["DATABASE_URL"] = (
                f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
            )
        else:
            call_command("migrate", verbosity=0, interactive=False)
        folder, pattern, lr_pattern, what = source_folder(tmp / "src", args.images + 2)
        warm = tmp / "warm"
        warm.mkdir()
        names = sorted(folder.iterdir())
        step = 2 if lr_pattern else 1
        for path in names[-2 * step :]:  # the last two pairs: the warm-up set
            path.rename(warm / path.name)
        for name, source in (("BSD100", folder), ("warmup", warm)):
            report = import_dataset(
                name=name, directory=source, scale=4, pattern=pattern, lr_pattern=lr_pattern
            )
            if report.failed:
                raise RuntimeError(f"import failed: {report.failed}")
        weights = random_weights(tmp / "weights")

        worker = start_worker(env, tmp / "worker.log")
        direct_runs, celery_runs = [], []
        for _ in range(args.rounds):
            direct_runs.append(direct("BSD100", weights, args.device, args.batch_size))
            forget_outputs()
            seconds, failed = through_celery("BSD100", weights, args.batch_size)
            if failed:
                raise RuntimeError(f"{failed} image(s) failed in the Celery path")
            celery_runs.append(seconds)
            forget_outputs()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        if state is not None:
            from django.test.utils import teardown_databases

            teardown_databases(state, verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)

    import torch

    count = args.images
    direct_s, celery_s = float(np.median(direct_runs)), float(np.median(celery_runs))
    direct_rate, celery_rate = count / direct_s, count / celery_s
    print(f"generation end to end: {METHOD} x4 (random weights), {count} images of {what}")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"device {args.device}, batch size {args.batch_size}, database {connection.vendor}"
    )
    if args.rounds > 1:
        print(f"  {args.rounds} rounds, medians; per round (img/s):")
        print("    direct: " + ", ".join(f"{count / s:.2f}" for s in direct_runs))
        print("    celery: " + ", ".join(f"{count / s:.2f}" for s in celery_runs))
    print(f"  direct loop : {direct_rate:7.2f} img/s ({direct_s:.2f} s)")
    print(f"  celery      : {celery_rate:7.2f} img/s ({celery_s:.2f} s, one worker)")
    print(f"  ratio celery/direct: {celery_rate / direct_rate:.2f} (target >= 0.85)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
