"""``export_results`` of a 2afc-real study: foolrate.csv counts the trials taken for real."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from study.pairwise.models import Choice
from tests.study.pairwise.exporting import FOOLRATE_FILES, export, simulated_study, table

pytestmark = pytest.mark.django_db


def test_it_counts_per_method_the_trials_whose_output_was_taken_for_the_photo(tmp_path):
    study = simulated_study(kind="2afc-real", count=4)
    fooled: dict[str, list[bool]] = {}
    for c in Choice.objects.select_related(
        "trial__left__output__method", "trial__right__output__method"
    ):
        left, right = c.trial.left.output.method.key, c.trial.right.output.method.key
        method = right if left == "hr" else left
        chosen = left if c.chose_left else right
        fooled.setdefault(method, []).append(chosen != "hr")
    folder = export(study, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == FOOLRATE_FILES
    found = table(folder, "foolrate.csv")
    assert list(found["method"]) == ["nearest", "bicubic", "srcnn"]  # the arm's order
    for row in found.itertuples():
        k, n = sum(fooled[row.method]), len(fooled[row.method])
        assert (row.n, row.chose_generated) == (n, k)
        assert n == 8  # 4 raters x 2 images
        test = binomtest(k, n, 0.5)
        interval = test.proportion_ci(method="exact")
        assert row.rate == pytest.approx(k / n, abs=1e-12)
        assert (row.ci95_low, row.ci95_high) == pytest.approx((interval.low, interval.high))
        assert row.p == pytest.approx(test.pvalue, rel=1e-12)
    markdown = (folder / "tables.md").read_text()
    assert "| Method | Trials | Fool rate | 95 % CI | p |" in markdown
    assert r"\toprule" in (folder / "tables.tex").read_text()
