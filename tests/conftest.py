"""Fixtures shared by the whole suite: storage, real services, worker processes, Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests import services

# Playwright's sync API keeps an event loop in the test thread; Django would then
# refuse ORM calls made by the test between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = services.ROOT


@pytest.fixture(autouse=True)
def _media_root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """Every Django test writes its files under its own temporary MEDIA_ROOT."""
    if "settings" not in request.fixturenames and not _uses_django(request):
        yield tmp_path / "media"
        return
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield Path(settings.MEDIA_ROOT)


def _uses_django(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames
        for name in ("db", "transactional_db", "client", "admin_client", "live_server")
    )


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    return services.require_datasets()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return services.require_redis()


@pytest.fixture
def clean_redis(redis_url: str) -> str:
    """A Redis database emptied before the test, so no earlier run's tasks linger."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


def database_url_for_subprocess() -> str:
    """The URL of the database this test uses (the test database), for child processes."""
    from django.db import connection

    params = connection.settings_dict
    if params["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(params['NAME']).resolve()}"
    user = quote(params.get("USER") or "")
    password = quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{params['HOST']}:{params['PORT']}/{params['NAME']}"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """Environment for a child process that sees the same database and files as the test."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="study.settings_test",
        DATABASE_URL=database_url_for_subprocess(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.pop("CELERY_BROKER_URL", None)
    env.update(overrides)
    return env


def _drop_cached_connections(app) -> None:
    # The app caches its connection pool, producer pool and result backend on
    # first use; after changing broker settings they must be rebuilt, not reused.
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture
def celery_on_redis(clean_redis: str, settings) -> Iterator[str]:
    """Point this process's Celery app at Redis (real workers) for the test, then back."""
    from study.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    settings.TASKS_IN_PROCESS = False
    settings.CELERY_BROKER_URL = clean_redis
    app.conf.update(broker_url=clean_redis, result_backend=clean_redis, task_always_eager=False)
    _drop_cached_connections(app)
    try:
        yield clean_redis
    finally:
        app.conf.update(saved)
        _drop_cached_connections(app)


class WorkerProcess:
    """A real ``celery worker`` child process on the test's database and broker."""

    def __init__(self, broker_url: str, queues: str = "gpu,cpu", concurrency: int = 1) -> None:
        self.broker_url = broker_url
        self.queues = queues
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    def start(self, log_dir: Path, **env: str) -> WorkerProcess:
        self.log_path = log_dir / f"worker-{time.monotonic_ns()}.log"
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "study",
            "worker",
            "-Q",
            self.queues,
            "--concurrency",
            str(self.concurrency),
            "--pool",
            "prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            "-n",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=subprocess_env(CELERY_BROKER_URL=self.broker_url, **env),
            stdout=self.log_path.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            if "ready." in self.log():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker (parent and pool children), as a crash would."""
        import signal

        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        import signal

        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture
def celery_worker_factory(celery_on_redis: str, transactional_db, tmp_path: Path) -> Iterator:
    """Start real worker processes on demand; all are stopped after the test."""
    workers: list[WorkerProcess] = []

    def start(queues: str = "gpu,cpu", concurrency: int = 1, **env: str) -> WorkerProcess:
        worker = WorkerProcess(celery_on_redis, queues, concurrency).start(tmp_path, **env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return services.require_chromium()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path, args=services.CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(device_scale_factor=1, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files for people to look at (screenshots, exports)."""
    path = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
