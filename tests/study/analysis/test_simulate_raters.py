"""``simulate_raters``: flagged raters, plans from the plan builder, scores of the known model."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from study.analysis import simulate
from study.analysis.services import default_quality
from study.protocol import selectors as protocol_selectors
from study.protocol.models import PlanItem, Rater, RaterBatch, Study
from study.protocol.plans import PlanBuilder
from study.rating.models import Rating
from study.rating.services import give_consent
from study.srgan2017 import MOS as PAPER_MOS
from tests.study.analysis.helpers import paper_study

pytestmark = pytest.mark.django_db


def test_it_adds_flagged_raters_whose_plans_come_from_the_plan_builder():
    small = paper_study(images=3, raters=2)
    # Rater 1 opened their link; rater 2's place is unopened, so it is filled first.
    give_consent(rater=small.raters[0])
    call_command("simulate_raters", small.study.name, "--count", "4", "--seed", "11")

    simulated = Rater.objects.filter(study=small.study, simulated=True).order_by("number")
    assert [r.number for r in simulated] == [2, 3, 4, 5]
    assert {r.external_source for r in simulated} == {"simulated"}
    assert all(r.finished_at is not None for r in simulated)
    assert not Rater.objects.get(study=small.study, number=1).simulated
    builder = PlanBuilder(protocol_selectors.plan_stimuli(study=small.study))
    for rater in simulated:
        plan = list(rater.plan.order_by("position").values_list("stimulus_id", "phase", "repeat"))
        if rater.number > 2:  # added; rater 2 keeps the plan its place had (the factory's)
            assert plan == builder.rows(seed=small.study.seed, rater=rater.number)
        assert rater.position == len(plan)
        # Every rating item is rated; calibration items are only shown.
        rated = Rating.objects.filter(plan_item__rater=rater).count()
        assert rated == rater.plan.filter(phase=PlanItem.Phase.RATING).count() == 13
    batch = RaterBatch.objects.get(study=small.study)
    assert (batch.kind, batch.first_number, batch.last_number) == ("simulated", 2, 5)
    assert batch.parameters["seed"] == 11


def test_it_scores_with_the_simulation_model_and_the_planted_qualities():
    small = paper_study(images=3, raters=1)
    quality = {"nearest": 2.0, "bicubic": 3.0, "srgan-vgg54": 4.0, "hr": 3.0}
    call_command(
        "simulate_raters",
        small.study.name,
        "--count",
        "3",
        "--seed",
        "4",
        "--quality",
        *[f"{k}={v}" for k, v in quality.items()],
    )
    rows = list(
        Rating.objects.filter(plan_item__rater__simulated=True).values_list(
            "plan_item__rater__number",
            "plan_item__stimulus__output__image__dataset__name",
            "plan_item__stimulus__output__image__name",
            "plan_item__stimulus__output__method__key",
            "plan_item__repeat",
            "score",
        )
    )
    plan = pd.DataFrame(rows, columns=["rater", "dataset", "image", "method", "repeat", "score"])
    plan["rater"] = plan["rater"].astype(str)
    expected = simulate.score_plan(plan, quality=quality, seed=4)
    assert plan["score"].tolist() == expected.tolist()


def test_it_recovers_the_planted_qualities_on_a_large_panel():
    small = paper_study(images=3, raters=1, retest=False)
    quality = {"nearest": 2.0, "bicubic": 2.5, "srgan-vgg54": 3.5, "hr": 4.0}
    args = [f"{k}={v}" for k, v in quality.items()]
    call_command(
        "simulate_raters", small.study.name, "--count", "300", "--seed", "1", "--quality", *args
    )
    scores = pd.DataFrame(
        Rating.objects.values_list("plan_item__stimulus__output__method__key", "score"),
        columns=["method", "score"],
    )
    mean = scores.groupby("method")["score"].mean()
    assert len(scores) == 300 * 12
    # Rounding to integers keeps the mean away from the edges (900 ratings a method:
    # standard error about 0.03).
    for method, value in quality.items():
        assert mean[method] == pytest.approx(value, abs=0.12)


def test_it_defaults_to_the_paper_mos_and_flags_simulated_raters_in_the_export(tmp_path):
    small = paper_study(images=2, raters=1)
    call_command("simulate_raters", small.study.name, "--count", "2", "--seed", "3")
    assert default_quality("BSD100", "srgan-vgg54") == PAPER_MOS["BSD100"]["srgan-vgg54"] == 3.56
    # Datasets the paper did not use get the method's mean over Set5, Set14 and BSD100.
    assert default_quality("paper-set", "nearest") == round((1.28 + 1.20 + 1.11) / 3, 2)
    batch = RaterBatch.objects.get(study=small.study)
    assert batch.parameters["quality"]["paper-set"]["nearest"] == 1.2

    out = tmp_path / "export"
    call_command("export_results", small.study.name, "--out", str(out))
    raters = pd.read_csv(out / "raters.csv", dtype={"rater": str}).set_index("rater")
    # Rater 1's place was unopened: the simulation filled it, then added rater 2.
    assert raters.loc[["1", "2"], "simulated"].all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["raters"]["simulated"] == ["1", "2"]
    assert manifest["raters"]["batches"][0]["parameters"]["seed"] == 3

    # Every rater is simulated: nothing is left to export without them.
    with pytest.raises(CommandError, match="only simulated ratings"):
        call_command(
            "export_results", small.study.name, "--out", str(tmp_path / "x"), "--exclude-simulated"
        )


def test_it_refuses_bad_requests_and_writes_nothing():
    small = paper_study(methods=("nearest", "mystery", "hr"), raters=1)
    before = (Rater.objects.count(), Rating.objects.count())

    def simulate(*quality: str) -> None:
        args = ["simulate_raters", small.study.name, "--count", "2", "--seed", "1"]
        call_command(*args, *(["--quality", *quality] if quality else []))

    for quality, message in (
        ((), r"no default quality for mystery \(paper-set\)"),
        (("srcnn=3",), "has no method 'srcnn'"),
        (("mystery",), "expected METHOD=VALUE"),
        (("mystery=7",), "a quality is 1 to 5"),
    ):
        with pytest.raises(CommandError, match=message):
            simulate(*quality)
    Study.objects.filter(pk=small.study.pk).update(state=Study.State.CLOSED)
    with pytest.raises(CommandError, match="closed"):
        simulate("mystery=3")
    assert (Rater.objects.count(), Rating.objects.count()) == before
    assert not RaterBatch.objects.exists()
