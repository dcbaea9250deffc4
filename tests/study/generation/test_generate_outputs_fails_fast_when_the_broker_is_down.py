"""``generate_outputs`` with the broker down: one line naming CELERY_BROKER_URL, within 10 s.

Nothing listens on port 1, as when Redis is stopped: no job may stay pending forever,
waiting for tasks that were never sent, whether Redis was down from the start or went
down between the check and the sending.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time

import pytest

from study.celery import app
from study.generation.models import GenerationItem, GenerationJob
from study.generation.selectors import JobCounts, job_progress
from study.generation.services import generate_outputs
from tests.conftest import _drop_cached_connections, subprocess_env
from tests.services import ROOT
from tests.study.generation.helpers import make_dataset

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.mark.django_db(transaction=True)  # the command runs in a child process
def test_it_fails_in_one_line_and_leaves_no_pending_job(tmp_path):
    make_dataset(tmp_path, count=2)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_outputs", "Tiny", "bicubic", "--force"],
        cwd=ROOT,
        env=subprocess_env(CELERY_BROKER_URL=DEAD_BROKER),
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started

    assert elapsed < 10, f"{elapsed:.1f} s"
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("CommandError: ")
    assert "CELERY_BROKER_URL" in result.stderr
    assert "redis://127.0.0.1:1/0" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not GenerationJob.objects.filter(status__in=["pending", "running"]).exists()
    assert not GenerationItem.objects.filter(status="pending").exists()


@pytest.fixture
def short_lived_redis(settings, tmp_path):
    """A Redis server of this test's own on a free port, and the Celery app pointed at it."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    settings.TASKS_IN_PROCESS = False
    settings.CELERY_BROKER_URL = url
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _drop_cached_connections(app)
    try:
        yield server
    finally:
        server.kill()
        server.wait()
        app.conf.update(saved)
        _drop_cached_connections(app)


# Not transactional: the batches are sent when the test says (captured on commit).
@pytest.mark.django_db
def test_a_broker_lost_before_the_batches_are_sent_fails_the_job(
    tmp_path, short_lived_redis, django_capture_on_commit_callbacks
):
    dataset = make_dataset(tmp_path, count=3)
    # The broker answers the check; the job is recorded; Redis stops before the commit
    # sends the batches.
    with django_capture_on_commit_callbacks(execute=False) as sends:
        job = generate_outputs(dataset=dataset, method="bicubic", force=True, batch_size=2)
    assert len(sends) == 2
    short_lived_redis.kill()
    short_lived_redis.wait()

    started = time.monotonic()
    for send in sends:
        send()
    assert time.monotonic() - started < 10

    job.refresh_from_db()
    assert job.status == "failed"
    assert job_progress(job_id=job.pk) == JobCounts(failed=3)
    errors = set(GenerationItem.objects.values_list("error", flat=True))
    [error] = errors
    assert error.startswith("not sent to a worker: cannot reach the Celery broker at ")
    assert "CELERY_BROKER_URL=redis://127.0.0.1:" in error
