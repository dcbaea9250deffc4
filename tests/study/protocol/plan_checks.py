"""Assertions on exported plans shared by the protocol tests."""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict

from study.protocol.plans import retest_gap
from study.protocol.selectors import write_plans_csv


def export(study) -> list[dict[str, str]]:
    out = io.StringIO()
    write_plans_csv(study=study, out=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def by_rater(rows: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    plans: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        plans[int(row["rater"])].append(row)
    return dict(plans)


def assert_follows_the_rules(plan: list[dict[str, str]]) -> None:
    """Calibration first; no image twice in a row; retest copies a third of the phase apart."""
    phases = [row["phase"] for row in plan]
    calibration = phases.count("calibration")
    assert phases == ["calibration"] * calibration + ["rating"] * (len(plan) - calibration)
    assert [int(row["position"]) for row in plan] == list(range(len(plan)))
    rating = plan[calibration:]
    images = [(row["dataset"], row["image"]) for row in rating]
    assert all(a != b for a, b in itertools.pairwise(images))
    seen: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for index, row in enumerate(rating):
        seen[row["dataset"], row["image"], row["method"]].append((index, int(row["repeat"])))
    for shown in seen.values():
        if len(shown) == 2:
            (first, r0), (second, r1) = shown
            assert (r0, r1) == (0, 1)
            assert second - first >= retest_gap(len(rating))
        else:
            assert [repeat for _, repeat in shown] == [0]
