"""A rater who fails a gold or attention item is rejected when they finish: the done page
shows the study's screen-out code and the completion redirect carries it; an attentive
rater gets a completion code of their own. Nothing is deleted."""

from __future__ import annotations

import pytest

from study.protocol.models import Rater
from study.rating.models import Rating
from tests.study.protocol.quality_catalog import (
    PLAIN_TOML,
    careful_score,
    quality_catalog,
    quality_study,
    rate_plan,
)

pytestmark = pytest.mark.django_db

REDIRECT = "https://app.prolific.com/submissions/complete?cc="


def answers(*, gold_wrong: bool = False, attention_wrong: bool = False):
    def answer(item) -> int:
        role = item.stimulus.role
        if gold_wrong and role == "gold" and item.stimulus.output.method.key == "nearest":
            return 5  # the nearest-neighbour version rated excellent
        if attention_wrong and role == "attention":
            return item.stimulus.expected_low % 5 + 1
        return careful_score(item, 3)

    return answer


def done_page(client, rater: Rater) -> str:
    return client.get(f"/r/{rater.token}/").content.decode()


def test_it_gives_an_attentive_rater_a_completion_code(client):
    quality_catalog()
    study = quality_study()
    rater = study.raters.get(number=1)
    assert rate_plan(rater, answers()) == 9 + 1 + 4 + 1  # rated, retest, gold, attention
    rater.refresh_from_db()
    assert (rater.rejected, rater.rejection_reasons) == (False, "")
    assert len(rater.completion_code) == 10
    assert rater.completion_code != "SCREENED"
    page = done_page(client, rater)
    assert f'id="completion-code">{rater.completion_code}<' in page
    assert f'href="{REDIRECT}{rater.completion_code}"' in page
    assert "SCREENED" not in page


@pytest.mark.parametrize(
    ("wrong", "reasons"),
    [
        ({"gold_wrong": True}, "gold"),
        ({"attention_wrong": True}, "attention"),
        ({"gold_wrong": True, "attention_wrong": True}, "gold;attention"),
    ],
)
def test_it_screens_out_a_rater_who_fails_a_check(client, wrong, reasons):
    quality_catalog()
    study = quality_study()
    rater = study.raters.get(number=2)
    rate_plan(rater, answers(**wrong))
    rater.refresh_from_db()
    assert rater.finished_at is not None
    assert (rater.rejected, rater.rejection_reasons) == (True, reasons)
    assert rater.completion_code == "SCREENED"
    page = done_page(client, rater)
    assert 'id="screen-out-code">SCREENED<' in page
    assert 'id="completion-code"' not in page
    assert f'href="{REDIRECT}SCREENED"' in page
    # Rejected, not deleted: every rating is kept.
    assert Rating.objects.filter(plan_item__rater=rater).count() == 15


def test_it_rejects_nobody_when_the_study_asks_for_no_rule(client):
    quality_catalog()
    text = PLAIN_TOML + (
        '[quality]\ngold = { dataset = "Gold", images = 2 }\nreject_if = ["bt500"]\n'
    )
    study = quality_study(text=text)
    rater = study.raters.get(number=1)
    rate_plan(rater, answers(gold_wrong=True))
    rater.refresh_from_db()
    # bt500 needs the whole panel: only an export applies it.
    assert (rater.rejected, len(rater.completion_code)) == (False, 10)
