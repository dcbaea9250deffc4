"""Table captions name the datasets and the upscaling factor the study has, not the paper's."""

from __future__ import annotations

import dataclasses

import pytest

from study.analysis.exports import analyse
from study.analysis.pipeline import analyse_ratings
from study.analysis.services import simulate_raters
from study.analysis.tables import table1_tex, table2_tex
from study.catalog.models import Dataset
from tests.study.analysis.helpers import paper_study
from tests.study.analysis.synthetic import ratings_and_facts


def caption(tex: str) -> str:
    return next(line for line in tex.splitlines() if line.startswith("\\caption{"))


def test_it_gives_each_datasets_scale_when_they_differ_and_escapes_their_names():
    ratings, facts = ratings_and_facts()
    analysis = analyse_ratings(ratings, facts=facts)

    assert "on Set5 and my\\_set benchmark data (Set5 x4, my\\_set x2). MOS from 8 raters;" in (
        caption(table1_tex(analysis))
    )
    assert caption(table2_tex(analysis)).startswith(
        "\\caption{Comparison of NN, SRResNet and SRGAN against the original HR "
        "(Set5 x4, my\\_set x2). MOS from 8 raters;"
    )


def test_it_names_one_scale_when_the_datasets_share_it():
    ratings, facts = ratings_and_facts()
    facts = dataclasses.replace(facts, scales={"Set5": 3, "my_set": 3})
    analysis = analyse_ratings(ratings, facts=facts)

    assert "on Set5 and my\\_set benchmark data (x3). " in caption(table1_tex(analysis))
    assert "against the original HR (x3). " in caption(table2_tex(analysis))


@pytest.mark.django_db
def test_it_reads_the_scale_of_the_studys_dataset_from_the_catalog():
    methods = ("nearest", "srresnet-mse", "srgan-mse", "srgan-vgg54", "hr")
    small = paper_study(methods=methods, images=4, raters=1, retest=False)
    Dataset.objects.filter(name="paper-set").update(scale=2)
    simulate_raters(
        study=small.study,
        count=6,
        seed=3,
        quality={
            "nearest": 1.3,
            "srresnet-mse": 2.5,
            "srgan-mse": 3.0,
            "srgan-vgg54": 4.0,
            "hr": 4.5,
        },
    )
    analysis = analyse(study=small.study)

    assert "on paper-set benchmark data (x2). MOS from 6 raters;" in caption(table1_tex(analysis))
    assert "against the original HR (x2). MOS from 6 raters;" in caption(table2_tex(analysis))
