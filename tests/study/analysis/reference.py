"""Shared inputs of the statistics tests: the Netflix public ratings and sureal adapters.

sureal (Netflix, PyPI 0.9.0) is a test-only dependency: it is the independent
implementation our P.910 subject model and BT.500 screening are checked against.
"""

from __future__ import annotations

import contextlib
import io
import types

import pandas as pd
import pytest

from tests.services import require_datasets


def nflx_ratings() -> pd.DataFrame:
    """NFLX_public_raw.csv (26 raters x 79 stimuli) in our long format.

    A stimulus of the Netflix set is a (content, condition) pair, so content maps to
    ``image`` and condition to ``method``; one ``dataset`` holds them all.
    """
    raw = pd.read_csv(require_datasets("ratings", "NFLX_public_raw.csv"))
    return pd.DataFrame(
        {
            "rater": raw["rater"],
            "dataset": "NFLX",
            "image": raw["content"],
            "method": raw["condition"],
            "score": raw["score"],
            "asset_id": raw["asset_id"],
        }
    )


def sureal_reader(ratings: pd.DataFrame):
    """sureal's RawDatasetReader over the same ratings (missing ones simply absent).

    Returns the reader and the (dataset, image, method) key of each of its stimuli, in
    sureal's order. Opinion scores are dicts keyed by rater, which is sureal's format
    for incomplete designs (a repeated rating makes a list: sureal's repetitions); its
    observers are the sorted rater names, as ours.
    """
    pytest.importorskip("sureal")
    from sureal.dataset_reader import RawDatasetReader

    contents = sorted({(d, i) for d, i in zip(ratings["dataset"], ratings["image"], strict=True)})
    content_id = {c: k for k, c in enumerate(contents)}
    videos: dict[tuple, dict] = {}
    for row in ratings.itertuples(index=False):
        key = (row.dataset, row.image, row.method)
        video = videos.setdefault(
            key,
            {
                "content_id": content_id[(row.dataset, row.image)],
                "asset_id": len(videos),
                "path": "/".join(key),
                "os": {},
            },
        )
        if row.rater in video["os"]:  # a repeat: sureal's repetitions are a list
            previous = video["os"][row.rater]
            scores = previous if isinstance(previous, list) else [previous]
            video["os"][row.rater] = [*scores, int(row.score)]
        else:
            video["os"][row.rater] = int(row.score)
    dataset = types.SimpleNamespace(
        ref_videos=[{"content_id": k, "path": "/".join(c)} for c, k in content_id.items()],
        dis_videos=list(videos.values()),
    )
    return RawDatasetReader(dataset), list(videos)


def run_sureal(model_class, reader) -> dict:
    # sureal prints every iteration to stdout; keep the test output readable.
    with contextlib.redirect_stdout(io.StringIO()):
        return model_class(reader).run_modeling()
