"""Load on the rating site: N concurrent simulated raters submitting over HTTP.

Starts the site under gunicorn on a scratch PostgreSQL database, drives 10, 100 and
500 concurrent raters through their plans (asyncio, one keep-alive connection per
rater, a think time between ratings like a person looking at the image), and prints
the throughput and the p50/p99 latency of the submit request for each level, against
the target p99 < 100 ms at 100 raters. Afterwards it checks that every acknowledged
rating is stored exactly once.

    .venv/bin/python bench/rating_load.py [--levels 10,100,500] [--seconds 20] [--think 1.0]

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test);
it creates and drops its own database beside the one named.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P99_MS = 100.0
ITEM_RE = re.compile(rb'name="item" value="([0-9a-f]+)"')


@dataclass
class Level:
    raters: int
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: dict[str, set[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


class Connection:
    """A minimal HTTP/1.1 keep-alive client: enough for this benchmark, no dependencies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: dict | None = None, *, json: bool = False
    ):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = urlencode(body or {}).encode()
        headers = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: keep-alive",
        ]
        if self.cookies:
            headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            headers += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(payload)}",
                f"X-CSRFToken: {self.cookies.get('csrftoken', '')}",
            ]
        if json:
            headers.append("Accept: application/json")
        self.writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            elif name == "connection" and value.lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.writer = self.reader = None
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def rater_session(
    host: str,
    port: int,
    token: str,
    level: Level,
    deadline: float,
    think: float,
    rng: random.Random,
    *,
    start_after: float,
    measure_from: float,
) -> None:
    import json as jsonlib

    # Raters arrive spread over the ramp, as they would follow a link; submissions
    # are measured once everyone has arrived (steady state).
    await asyncio.sleep(start_after)
    conn = Connection(host, port)
    home = f"/r/{token}/"
    try:
        await conn.request("GET", home)
        await conn.request("POST", home + "consent", {"agree": "yes"})
        await conn.request("POST", home + "start")
        status, page = await conn.request("GET", home)
        match = ITEM_RE.search(page)
        if match is None:
            level.errors.append(f"{token}: no item on the page (status {status})")
            return
        item = match.group(1).decode()
        acknowledged = level.acknowledged.setdefault(token, set())
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.expovariate(1 / think) if think > 0 else 0)
            started = time.perf_counter()
            status, body = await conn.request(
                "POST", home + "submit", {"item": item, "score": str(rng.randint(1, 5))}, json=True
            )
            if time.monotonic() >= measure_from:
                level.latencies_ms.append((time.perf_counter() - started) * 1000)
            if status != 200:
                level.errors.append(f"{token}: {status} {body[:120]!r}")
                return
            payload = jsonlib.loads(body)
            if payload["stored"]:
                acknowledged.add(item)
            if payload["stage"] not in ("rating", "calibration"):
                return
            item = payload["item"]["token"]
    finally:
        conn.close()


async def drive(
    host: str,
    port: int,
    tokens: list[str],
    level: Level,
    *,
    seconds: float,
    think: float,
    ramp: float,
) -> None:
    started = time.monotonic()
    deadline = started + ramp + seconds
    sessions = [
        rater_session(
            host,
            port,
            token,
            level,
            deadline,
            think,
            random.Random(i),
            start_after=ramp * i / max(1, len(tokens)),
            measure_from=started + ramp,
        )
        for i, token in enumerate(tokens)
    ]
    await asyncio.gather(*sessions)
    level.elapsed = time.monotonic() - started - ramp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scratch_database(base_url: str) -> tuple[str, str]:
    import psycopg

    name = f"bench_rating_{os.getpid()}"
    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(base_url)
    return name, parts._replace(path=f"/{name}").geturl()


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def build_study(images_dir: Path, raters: int) -> list[str]:
    """A study of 40 images x 3 methods with 2 calibration pairs, through the real services."""
    import django

    django.setup()
    from django.core.management import call_command

    from srmodels.imageio import save_png
    from study.catalog.services import import_dataset
    from study.protocol.config import parse_config
    from study.protocol.services import create_study, open_study

    call_command("migrate", interactive=False, verbosity=0)
    rng = np.random.default_rng(0)
    for name, count in (("load", 40), ("load-cal", 2)):
        folder = images_dir / name
        folder.mkdir(parents=True)
        for index in range(count):
            save_png(folder / f"img_{index:03d}.png", rng.integers(0, 256, (96, 128, 3), np.uint8))
        role = "calibration" if name == "load-cal" else "test"
        import_dataset(name=name, directory=folder, scale=4, role=role)
    config = parse_config(
        f"""
        seed = 1
        raters = {raters}
        [[arms]]
        dataset = "load"
        methods = ["nearest", "bicubic", "hr"]
        [calibration]
        dataset = "load-cal"
        images = 2
        low = {{ method = "nearest", score = 1 }}
        high = {{ method = "hr", score = 5 }}
        """
    )
    study, _ = create_study(name="load", config=config)
    open_study(study=study)
    return list(study.raters.order_by("number").values_list("token", flat=True))


def verify(level_results: list[Level]) -> tuple[int, int]:
    """(acknowledged ratings, stored ratings): equal when nothing was lost or duplicated."""
    from study.protocol.models import Rater
    from study.rating.models import Rating
    from study.rating.selectors import item_token

    acknowledged = stored = 0
    for level in level_results:
        for token, items in level.acknowledged.items():
            rater = Rater.objects.get(token=token)
            ratings = Rating.objects.filter(plan_item__rater=rater)
            tokens = {
                item_token(rater=rater, position=p)
                for p in ratings.values_list("plan_item__position", flat=True)
            }
            calibration = {
                item_token(rater=rater, position=p)
                for p in rater.plan.filter(phase="calibration").values_list("position", flat=True)
            }
            rated = items - calibration
            acknowledged += len(rated)
            stored += len(tokens)
            if rated != tokens:
                raise SystemExit(
                    f"rater {rater.number}: acknowledged {len(rated)} ratings, stored {len(tokens)}"
                )
    return acknowledged, stored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,100,500")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each level")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time per rating (s)")
    parser.add_argument(
        "--ramp", type=float, default=5.0, help="seconds over which raters arrive (not measured)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    args = parser.parse_args()
    levels = [int(value) for value in args.levels.split(",")]
    base_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")

    name, database_url = scratch_database(base_url)
    tmp = Path(tempfile.mkdtemp(prefix="bench-rating-"))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="study.settings", DEBUG="0",
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        DATABASE_URL=database_url, MEDIA_ROOT=str(tmp / "media"), ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )  # fmt: skip
    os.environ.update(env)
    server = None
    try:
        tokens = build_study(tmp / "images", sum(levels))
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "study.wsgi", "-b", f"127.0.0.1:{port}",
                "--worker-class", "gthread", "--workers", str(args.workers),
                "--threads", str(args.threads), "--worker-connections", "2000",
                "--keep-alive", "75", "--log-level", "warning",
            ],
            cwd=ROOT, env=env,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        print(
            f"rating site under gunicorn ({args.workers} workers x {args.threads} threads), "
            f"PostgreSQL, think time {args.think:.1f} s (exponential), raters arriving over "
            f"{args.ramp:.0f} s, then {args.seconds:.0f} s measured per level"
        )
        print(
            f"{'raters':>7} {'submits':>8} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        )
        results = []
        offset = 0
        for count in levels:
            level = Level(raters=count)
            asyncio.run(
                drive(
                    "127.0.0.1",
                    port,
                    tokens[offset : offset + count],
                    level,
                    seconds=args.seconds,
                    think=args.think,
                    ramp=args.ramp,
                )
            )
            offset += count
            results.append(level)
            lat = np.array(level.latencies_ms) if level.latencies_ms else np.array([np.nan])
            print(
                f"{count:>7} {lat.size:>8} {lat.size / level.elapsed:>8.1f} "
                f"{np.percentile(lat, 50):>8.1f} {np.percentile(lat, 99):>8.1f} "
                f"{len(level.errors):>7}"
            )
            for error in level.errors[:3]:
                print(f"    {error}")
        acknowledged, stored = verify(results)
        print(f"check: {acknowledged} acknowledged ratings, {stored} stored, each exactly once")
        for level in results:
            if level.raters == 100 and level.latencies_ms:
                p99 = float(np.percentile(level.latencies_ms, 99))
                print(
                    f"p99 at 100 raters: {p99:.1f} ms = "
                    f"{p99 / TARGET_P99_MS:.2f} x the 100 ms target"
                )
        return 0 if all(not level.errors for level in results) else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(base_url, name)


if __name__ == "__main__":
    sys.exit(main())
