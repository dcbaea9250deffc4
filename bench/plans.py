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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._synthetic import preset_catalog, setup_django  # noqa: E402

TARGET_SECONDS = 10.0


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
            preset_catalog()
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
