"""``simulate_raters`` on a full design: observers answer the written trials; the order returns."""

from __future__ import annotations

import pytest

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater, RaterBatch
from study.rating import services as rater_services
from tests.study.pairwise.exporting import export, refused, run, table
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


def test_it_answers_every_written_trial_and_recovers_the_planted_order(tmp_path):
    make_catalog(images=3)
    study = make_two_image_study(raters=1)
    # Rater 1 opened the link: not a place to fill.
    rater_services.give_consent(rater=study.raters.get(number=1))
    message = run(
        "simulate_raters", study.name, "--count", "8", "--seed", "7",
        "--quality", "srcnn=0", "nearest=1.5", "bicubic=3",
    )  # fmt: skip
    assert message == "8 simulated raters (2-9) added to 'pairs-study' with 72 choices\n"
    simulated = Rater.objects.filter(study=study, simulated=True).order_by("number")
    assert {r.external_source for r in simulated} == {"simulated"}
    for rater in simulated:
        assert rater.finished_at is not None
        assert rater.position == 9
        assert Choice.objects.filter(trial__rater=rater).count() == 9
    assert not Trial.objects.filter(rater__number=1, choice__isnull=False).exists()
    batch = RaterBatch.objects.get(study=study)
    assert (batch.kind, batch.first_number, batch.last_number) == ("simulated", 2, 9)
    assert batch.parameters["seed"] == 7
    assert batch.parameters["quality"] == {"pairs": {"nearest": 1.5, "bicubic": 3.0, "srcnn": 0.0}}

    scale = table(export(study, tmp_path / "out"), "scale.csv")
    ranked = scale.sort_values("jod")["method"].tolist()
    assert ranked == ["srcnn", "nearest", "bicubic"]
    # The planted differences lie in the CIs (nearest is the reference at 0).
    by_method = scale.set_index("method")
    assert by_method.loc["bicubic", "ci95_low"] <= 1.5 <= by_method.loc["bicubic", "ci95_high"]
    assert by_method.loc["srcnn", "ci95_low"] <= -1.5 <= by_method.loc["srcnn", "ci95_high"]


def test_it_is_a_function_of_the_seed(tmp_path):
    make_catalog(images=1)
    first = make_two_image_study(name="one", raters=1)
    second = make_two_image_study(name="two", raters=1)
    for study in (first, second):
        run("simulate_raters", study.name, "--count", "3", "--seed", "2")
    picks = [
        list(
            Choice.objects.filter(trial__rater__study=study)
            .order_by("trial__rater__number", "trial__position")
            .values_list("chose_left", flat=True)
        )
        for study in (first, second)
    ]
    assert picks[0] == picks[1]
    assert len(picks[0]) == 9


def test_it_refuses_acr_options_and_unknown_methods(tmp_path):
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    assert "--bias-sd is for ACR studies; 'pairs-study' is a pairwise study" in refused(
        "simulate_raters", study.name, "--count", "2", "--seed", "1", "--bias-sd", "0.5"
    )
    assert "--quality: study 'pairs-study' has no method 'edsr'" in refused(
        "simulate_raters", study.name, "--count", "2", "--seed", "1", "--quality", "edsr=2"
    )
    assert "--quality 'nearest=x': 'x' is not a number" in refused(
        "simulate_raters", study.name, "--count", "2", "--seed", "1", "--quality", "nearest=x"
    )
    assert Rater.objects.filter(study=study).count() == 1
