"""``export_results`` options for two-image studies: honoured, refused, or nothing written."""

from __future__ import annotations

import json

import pytest

from study.pairwise import services
from study.rating import services as rater_services
from study.rating.selectors import item_token
from tests.study.pairwise.exporting import export, refused, run, simulated_study, table
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


def test_it_refuses_the_acr_only_options_and_writes_nothing(tmp_path):
    study = simulated_study(count=2)
    for option in (["--exclude-screened"], ["--zero-method", "pratt"], ["--ci", "bootstrap"]):
        message = refused("export_results", study.name, "--out", str(tmp_path / "x"), *option)
        assert f"{option[0]} is for ACR studies; 'pairs-study' is a pairwise study" in message
    assert not (tmp_path / "x").exists()


def test_it_leaves_out_simulated_raters_on_request(tmp_path):
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    rater = study.raters.get()
    rater_services.give_consent(rater=rater)
    rater_services.start_rating(rater=rater)
    for position in range(3):  # rater 1 chooses on the page: 3 pairs of one image
        token = item_token(rater=rater, position=position)
        services.submit_choice(token=rater.token, item=token, side="left")
    run("simulate_raters", study.name, "--count", "2", "--seed", "1")
    every = table(export(study, tmp_path / "all"), "choices.csv")
    assert sorted(set(every["rater"])) == ["1", "2", "3"]
    folder = export(study, tmp_path / "real", "--exclude-simulated", "--alpha", "0.01")
    real = table(folder, "choices.csv")
    assert list(real["rater"]) == ["1", "1", "1"]
    assert list(real["simulated"]) == [False] * 3
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["raters"]["excluded"] == [
        {"rater": "2", "reasons": ["simulated"]},
        {"rater": "3", "reasons": ["simulated"]},
    ]
    assert manifest["options"]["alpha"] == 0.01


def test_it_writes_nothing_without_choices_and_keeps_a_full_folder_without_overwrite(tmp_path):
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    message = refused("export_results", study.name, "--out", str(tmp_path / "x"))
    assert message == "study 'pairs-study' has no choices to export"
    assert not (tmp_path / "x").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    assert "folder is not empty" in refused(
        "export_results", study.name, "--out", str(tmp_path / "full")
    )
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]
