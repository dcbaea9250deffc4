"""Time of the statistics on a paper-sized study, for 26 and for 1,000 simulated raters.

Usage: ``python bench/analysis_stats.py [N_RATERS ...]`` (default 26 1000).

Each rater rates the paper's 1,128 stimuli (12 versions of the 19 Set5 + Set14
images, 9 of the 100 BSD100 images) plus 10 retest repeats, so 1,000 raters make
1.14 M rows. Every function of ``study.analysis.stats`` is timed on its own; the
"export set" (mos, wilcoxon_pairs, retest, subject_model, screen_raters: what the
export writes) is summed and printed as a ratio to the issue's budget for the whole
export (5 s for 26 raters, 60 s for 1,000; below 1.0 leaves the rest of the budget to
the database query and the files). When sureal is installed the P.910 step is also
run through sureal's ``MaximumLikelihoodEstimationModelContentObliviousAlternativeProjection2``
on the 26-rater study, as the baseline of the same computation in the same process.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from study.analysis import stats  # noqa: E402
from study.analysis.simulate import simulate_ratings  # noqa: E402

ALL_12 = {
    "nearest": 1.1,
    "bicubic": 1.5,
    "srcnn": 1.9,
    "selfexsr": 1.9,
    "drcn": 2.1,
    "espcn": 2.0,
    "srresnet-mse": 2.3,
    "srresnet-vgg22": 2.6,
    "srgan-mse": 3.3,
    "srgan-vgg22": 3.4,
    "srgan-vgg54": 3.6,
    "hr": 4.5,
}
NOT_ON_BSD100 = {"srresnet-vgg22", "srgan-mse", "srgan-vgg22"}
EXPORT_SET = ("mos", "wilcoxon_pairs", "retest", "subject_model", "screen_raters")


def paper_stimuli() -> pd.DataFrame:
    rows = []
    for dataset, n_images in (("Set5", 5), ("Set14", 14), ("BSD100", 100)):
        for k in range(n_images):
            for method, quality in ALL_12.items():
                if dataset == "BSD100" and method in NOT_ON_BSD100:
                    continue
                rows.append((dataset, f"img_{k:03d}", method, quality))
    return pd.DataFrame(rows, columns=["dataset", "image", "method", "quality"])


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def sureal_seconds(ratings: pd.DataFrame) -> float | None:
    try:
        from sureal.dataset_reader import RawDatasetReader
        from sureal.subjective_model import (
            MaximumLikelihoodEstimationModelContentObliviousAlternativeProjection2 as Model,
        )
    except ImportError:
        return None
    first = ratings[ratings["repeat"] == 0]
    contents = {
        key: k for k, key in enumerate(sorted(set(zip(first.dataset, first.image, strict=True))))
    }
    videos: dict[tuple, dict] = {}
    for row in first.itertuples(index=False):
        key = (row.dataset, row.image, row.method)
        video = videos.setdefault(
            key,
            {
                "content_id": contents[(row.dataset, row.image)],
                "asset_id": len(videos),
                "path": "/".join(key),
                "os": {},
            },
        )
        video["os"][row.rater] = int(row.score)
    dataset = types.SimpleNamespace(
        ref_videos=[{"content_id": k, "path": "/".join(c)} for c, k in contents.items()],
        dis_videos=list(videos.values()),
    )
    reader = RawDatasetReader(dataset)
    with contextlib.redirect_stdout(io.StringIO()):
        return timed(Model(reader).run_modeling)


def main(counts: list[int]) -> None:
    stimuli = paper_stimuli()
    for n_raters in counts:
        start = time.perf_counter()
        ratings = simulate_ratings(stimuli=stimuli, n_raters=n_raters, seed=1, retest=10)
        simulate_s = time.perf_counter() - start
        print(f"\n{n_raters} raters, {len(ratings):,} rows (simulated in {simulate_s:.2f} s)")
        steps = {
            "validate_ratings": lambda r: stats.validate_ratings(r),
            "mos": lambda r: stats.mos(r),
            "mos (bootstrap 2000)": lambda r: stats.mos(r, ci="bootstrap", n_boot=2000),
            "wilcoxon_pairs": lambda r: stats.wilcoxon_pairs(r),
            "retest": lambda r: stats.retest(r),
            "calibration_adherence": lambda r: stats.calibration_adherence(r),
            "bt500_screening": lambda r: stats.bt500_screening(r),
            "rater_agreement": lambda r: stats.rater_agreement(r),
            "subject_model": lambda r: stats.subject_model(r),
            "screen_raters": lambda r: stats.screen_raters(r),
        }
        seconds = {name: timed(fn, ratings) for name, fn in steps.items()}
        for name, s in seconds.items():
            print(f"  {name:24s} {s:7.2f} s")
        total = sum(seconds[name] for name in EXPORT_SET)
        budget = 5.0 if n_raters <= 26 else 60.0
        print(
            f"  export set {total:.2f} s; ratio to the {budget:.0f} s budget: {total / budget:.2f}"
        )
        if n_raters <= 26:
            reference = sureal_seconds(ratings)
            if reference is not None:
                ratio = seconds["subject_model"] / reference
                print(
                    f"  sureal MLE_CO_AP2 (baseline) {reference:.2f} s; "
                    f"subject_model / sureal = {ratio:.2f}"
                )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [26, 1000])
