"""Time the full export of the paper-sized study (26 raters) and of 1,000 raters.

Usage: ``python bench/analysis.py`` (SQLite in a temporary folder), or with
``BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench`` for PostgreSQL
(a throw-away ``test_...`` database is created and dropped). ``--raters 26 200``
picks other panel sizes; ``--keep DIR`` keeps the exports there to look at.

The study is the ``srgan2017`` preset on a synthetic catalog (rows only, no image
files: Set5, Set14, BSD100, BSD300-train), filled by ``simulate_raters`` (26 or 1,000
simulated raters, 1,128 ratings + 10 retest repeats each). The figure is the wall time
of ``export_results`` (read the ratings, screening, MOS, Wilcoxon, P.910 subject
model, retest, tables, figure 5, writing the files); the Wilcoxon and P.910 steps are
also shown on their own. Targets: 26 raters in under 5 s, 1,000 raters in under
60 s; the ratios to them are printed (below 1.00 meets a target). Simulating the
panel is timed too but is not part of the target.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._synthetic import preset_catalog, setup_django  # noqa: E402

TARGETS = {26: 5.0, 1000: 60.0}


def time_export(raters: int, out: Path) -> dict[str, float]:
    from study.analysis.exports import export_results
    from study.analysis.services import simulate_raters
    from study.protocol.presets import load_preset
    from study.protocol.services import create_study

    config = dataclasses.replace(load_preset("srgan2017"), raters=1)
    study, _ = create_study(name=f"bench-{raters}", config=config)
    start = time.perf_counter()
    simulate_raters(study=study, count=raters, seed=1)
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    analysis = export_results(study=study, out=out / f"export-{raters}")
    total = time.perf_counter() - start
    return {
        "simulate": simulated,
        "export": total,
        "ratings": len(analysis.ratings),
        **{f"step:{k}": v for k, v in analysis.timings.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raters", type=int, nargs="+", default=[26, 1000])
    parser.add_argument("--keep", type=Path, help="write the exports into this folder")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
        setup_django(Path(tmp))
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        engine = connection.vendor
        state = setup_databases(verbosity=0, interactive=False)
        try:
            preset_catalog(metrics_seed=0)
            for count in args.raters:
                results[count] = time_export(count, args.keep or Path(tmp))
        finally:
            teardown_databases(state, verbosity=0)
    print(f"analysis export on {engine}: srgan2017 preset, simulated raters")
    for count, r in results.items():
        steps = ", ".join(
            f"{k.removeprefix('step:')} {v:.2f}" for k, v in r.items() if k.startswith("step:")
        )
        print(
            f"  {count:5d} raters: export {r['export']:6.2f} s ({int(r['ratings']):,} ratings; "
            f"simulating them took {r['simulate']:.2f} s)"
        )
        print(f"      wilcoxon {r['step:wilcoxon']:.2f} s, P.910 {r['step:p910']:.2f} s")
        print(f"      steps (s): {steps}")
        if count in TARGETS:
            print(
                f"      ratio to the {TARGETS[count]:.0f} s target: "
                f"{r['export'] / TARGETS[count]:.2f} (below 1.00 meets it)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
