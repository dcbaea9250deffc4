"""Time to build the srgan2017 preset study with its plans, for 26 and for 1,000 raters.

Usage: ``python bench/plans.py`` (SQLite in a temporary folder), or with
``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench`` for PostgreSQL
(a throw-away ``test_...`` database is created and dropped).

The catalog is synthetic (rows only, no image files): Set5, Set14, BSD100 and
BSD300-train with every output the preset needs. Each figure is the wall time of
``create_study`` (validation, stimuli, raters, plans, the database inserts) in
one transaction. The target is 1,000 raters in under 10 s; the script prints the
ratio to that target (below 1.0 meets it).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 10.0


def setup_django(tmp: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or (
        f"sqlite:///{tmp / 'bench.sqlite3'}"
    )
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "study.settings"
    import django

    django.setup()


def synthetic_catalog() -> None:
    from study.catalog.models import Dataset, Output, SourceImage
    from study.catalog.services import ensure_method
    from study.protocol.presets import ALL_12

    methods = [ensure_method(key=key) for key in ALL_12]
    sizes = {"Set5": 5, "Set14": 14, "BSD100": 100, "BSD300-train": 200}
    for name, count in sizes.items():
        role = Dataset.Role.CALIBRATION if name == "BSD300-train" else Dataset.Role.TEST
        dataset = Dataset.objects.create(name=name, scale=4, role=role)
        images = SourceImage.objects.bulk_create(
            [
                SourceImage(
                    dataset=dataset,
                    name=f"img_{i:03d}",
                    hr=f"datasets/{name}/hr/img_{i:03d}.png",
                    lr=f"datasets/{name}/lr/img_{i:03d}.png",
                    width=480,
                    height=320,
                    lr_width=120,
                    lr_height=80,
                    checksum="0" * 64,
                )
                for i in range(1, count + 1)
            ]
        )
        Output.objects.bulk_create(
            [
                Output(
                    image=image,
                    method=method,
                    file=f"outputs/{name}/{method.key}/{image.name}.png",
                    width=480,
                    height=320,
                    origin=Output.Origin.GENERATED,
                    checksum="0" * 64,
                )
                for image in images
                for method in methods
            ],
            batch_size=2000,
        )


def time_study(name: str, raters: int) -> tuple[float, int]:
    from study.protocol.models import PlanItem
    from study.protocol.presets import load_preset
    from study.protocol.services import create_study

    config = dataclasses.replace(load_preset("srgan2017"), raters=raters)
    start = time.perf_counter()
    study, _ = create_study(name=name, config=config)
    elapsed = time.perf_counter() - start
    return elapsed, PlanItem.objects.filter(rater__study=study).count()


def time_builder_alone(study_name: str, raters: int) -> float:
    """The pure plan builder for ``raters`` raters of a study, without any database write."""
    from study.protocol.models import Study
    from study.protocol.plans import PlanBuilder
    from study.protocol.selectors import plan_stimuli

    study = Study.objects.get(name=study_name)
    builder = PlanBuilder(plan_stimuli(study=study))
    start = time.perf_counter()
    for number in range(1, raters + 1):
        builder.rows(seed=study.seed, rater=number)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-plans-") as tmp:
        setup_django(Path(tmp))
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        engine = connection.vendor
        state = setup_databases(verbosity=0, interactive=False)
        try:
            synthetic_catalog()
            small, small_items = time_study("bench-26", 26)
            large, large_items = time_study("bench-1000", 1000)
            alone = time_builder_alone("bench-26", 1000)
        finally:
            teardown_databases(state, verbosity=0)
    print(f"plans on {engine}: srgan2017 preset, {large_items // 1000} items per rater")
    print(f"  26 raters:    {small:6.2f} s  ({small_items} plan items)")
    print(f"  1000 raters:  {large:6.2f} s  ({large_items} plan items)")
    print(f"  of which building the 1000 plans (no database): {alone:.2f} s")
    print(
        f"  ratio to the {TARGET_SECONDS:.0f} s target for 1000 raters: "
        f"{large / TARGET_SECONDS:.2f} (below 1.00 meets it)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
