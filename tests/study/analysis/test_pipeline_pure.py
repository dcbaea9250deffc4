"""The analysis pipeline is pure: a ratings frame and the study's facts in, every table out.

No test here touches the database (pytest-django refuses it without the mark), so the
pipeline cannot be reading or writing one.
"""

from __future__ import annotations

import numpy as np
import pytest

from study.analysis import stats
from study.analysis.pipeline import AnalysisError, AnalysisOptions, analyse_ratings
from tests.study.analysis.synthetic import ratings_and_facts


def test_it_computes_every_table_in_the_papers_order_from_the_frame_alone():
    ratings, facts = ratings_and_facts()
    analysis = analyse_ratings(ratings, facts=facts)

    order = ["nearest", "srresnet-mse", "srgan-mse", "srgan-vgg54", "hr"]
    assert analysis.datasets == ["Set5", "my_set"]
    assert analysis.methods == order
    assert list(analysis.mos["dataset"]) == ["Set5"] * 5 + ["my_set"] * 5
    assert list(analysis.mos["method"]) == order * 2
    expected = stats.mos(ratings).set_index(["dataset", "method"])["mos"]
    got = analysis.mos.set_index(["dataset", "method"])["mos"]
    assert np.allclose(got.to_numpy(), expected.loc[got.index].to_numpy())
    assert (analysis.mos["psnr"] == 25.0).all()
    # Ten pairs of five methods per dataset, paired in the paper's order.
    assert len(analysis.wilcoxon) == 20
    assert tuple(analysis.wilcoxon.iloc[0][["dataset", "method_a", "method_b"]]) == (
        "Set5",
        "nearest",
        "srresnet-mse",
    )
    assert analysis.labels["nearest"] == "NN"
    assert analysis.labels["srgan-mse"] == "srgan-mse"  # no label known: the key
    assert len(analysis.raters) == 8
    assert set(analysis.screening) == set(ratings["rater"])
    assert analysis.total_ratings == len(ratings)
    assert analysis.excluded == {}


def test_it_excludes_only_what_the_options_say_and_refuses_an_empty_panel():
    ratings, facts = ratings_and_facts(n_raters=3)
    with pytest.raises(AnalysisError, match="'pure' has only simulated ratings"):
        analyse_ratings(ratings, facts=facts, options=AnalysisOptions(exclude_simulated=True))
    with pytest.raises(AnalysisError, match="'pure' has no ratings to analyse"):
        analyse_ratings(ratings.iloc[:0], facts=facts)
