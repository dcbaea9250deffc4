"""``import_ratings --create``: a study from a CSV alone, analysed like one run on this site."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from study.analysis import stats
from study.catalog.models import Dataset, Output, SourceImage
from study.protocol.models import PlanItem, Rater, RaterBatch, Study
from study.rating.models import Rating
from tests.study.analysis.reference import nflx_ratings

pytestmark = pytest.mark.django_db

SMALL = (
    "rater,dataset,image,method,score,repeat,response_ms\n"
    "ann,Lab,p1,bicubic,2,0,900\n"
    "ann,Lab,p1,hr,5,0,\n"
    "ann,Lab,p2,bicubic,1,0,\n"
    "ann,Lab,p2,hr,4,0,\n"
    "ann,Lab,p1,bicubic,3,1,\n"
    "bob,Lab,p1,hr,4,0,\n"
    "bob,Lab,p1,bicubic,2,0,\n"
    "bob,Lab,p2,hr,5,0,\n"
)


def test_it_creates_a_closed_study_from_the_file_with_file_less_catalog_rows(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    call_command("import_ratings", str(path), "--study", "lab", "--create")

    study = Study.objects.get(name="lab")
    assert study.state == Study.State.CLOSED
    assert study.config["arms"] == [{"dataset": "Lab", "methods": ["bicubic", "hr"]}]
    assert study.config["resolved"]["imported"]["rows"] == 8
    dataset = Dataset.objects.get(name="Lab")
    assert dataset.source_dir == f"import_ratings:{path}"
    images = SourceImage.objects.filter(dataset=dataset)
    assert sorted(images.values_list("name", flat=True)) == ["p1", "p2"]
    assert set(images.values_list("hr", "lr", "width", "height")) == {("", "", 0, 0)}
    outputs = Output.objects.filter(image__dataset=dataset)
    assert outputs.count() == 4
    assert set(outputs.values_list("file", "origin", "psnr")) == {("", "imported", None)}
    assert study.stimuli.filter(retest=True).count() == 1  # ann rated Lab/p1/bicubic twice

    raters = Rater.objects.filter(study=study).order_by("number")
    assert [(r.number, r.external_id, r.external_source) for r in raters] == [
        (1, "ann", "import"),
        (2, "bob", "import"),
    ]
    assert all(r.finished_at is not None and not r.simulated for r in raters)
    assert raters[0].position == 5  # plan positions 0..4: the file order
    assert Rating.objects.filter(plan_item__rater__study=study).count() == 8
    first = PlanItem.objects.get(rater=raters[0], position=0)
    assert first.rating.score == 2
    assert first.rating.response_ms == 900
    batch = RaterBatch.objects.get(study=study)
    assert (batch.kind, batch.first_number, batch.last_number) == ("imported", 1, 2)


def test_it_round_trips_an_exported_study_through_import(tmp_path):
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    call_command("import_ratings", str(path), "--study", "lab", "--create")
    call_command("export_results", "lab", "--out", str(tmp_path / "first"))
    exported = tmp_path / "first" / "ratings.csv"
    call_command("import_ratings", str(exported), "--study", "copy", "--create")
    call_command("export_results", "copy", "--out", str(tmp_path / "second"))

    for name in ("ratings.csv", "mos.csv", "wilcoxon.csv", "subject_model.csv", "retest.csv"):
        first = pd.read_csv(tmp_path / "first" / name)
        second = pd.read_csv(tmp_path / "second" / name)
        pd.testing.assert_frame_equal(first, second, check_exact=False, rtol=1e-12)
    manifest = json.loads((tmp_path / "second" / "manifest.json").read_text())
    assert manifest["raters"]["imported"] == ["ann", "bob"]
    assert manifest["raters"]["batches"][0]["parameters"]["file"] == str(exported)


def test_it_imports_the_netflix_ratings_and_exports_the_same_statistics(tmp_path):
    raw = nflx_ratings()
    csv = tmp_path / "nflx.csv"
    raw[["rater", "dataset", "image", "method", "score"]].to_csv(csv, index=False)
    call_command("import_ratings", str(csv), "--study", "nflx", "--create")
    out = tmp_path / "export"
    call_command("export_results", "nflx", "--out", str(out))

    assert Rater.objects.filter(study__name="nflx").count() == 26
    mos = pd.read_csv(out / "mos.csv")
    # Conditions are methods: per method the MOS is the plain mean of the raw file.
    plain = raw.assign(method=raw["method"].str.lower()).groupby("method")["score"].mean()
    assert len(mos) == len(plain)
    assert np.allclose(mos.set_index("method").loc[plain.index, "mos"], plain, atol=1e-12)
    # The subject model of the export equals the model fitted on the raw file directly.
    expected, _ = stats.subject_model(raw.assign(method=raw["method"].str.lower()))
    got = pd.read_csv(out / "subject_model.csv", dtype={"method": str})
    merged = expected.merge(got, on=["dataset", "image", "method"], suffixes=("", "_export"))
    assert len(merged) == 79
    assert np.allclose(merged["quality"], merged["quality_export"], atol=1e-9)
    raters = pd.read_csv(out / "raters.csv")
    assert sorted(raters["rater"]) == sorted(raw["rater"].unique())
    assert not raters["imported"].eq(False).any()
