"""``import_ratings`` checks every row first: errors name the line, and nothing is written."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from study.catalog.models import Dataset, Output, SourceImage
from study.protocol.models import PlanItem, Rater, RaterBatch, Study
from study.rating.models import Rating
from tests.study.analysis.helpers import paper_study

pytestmark = pytest.mark.django_db

MODELS = (Study, Dataset, SourceImage, Output, Rater, PlanItem, Rating, RaterBatch)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def import_csv(tmp_path, text: str, *args: str) -> str:
    path = tmp_path / "ratings.csv"
    path.write_text(text)
    with pytest.raises(CommandError) as error:
        call_command("import_ratings", str(path), *args)
    return str(error.value)


def test_it_reports_every_bad_row_by_line_and_writes_nothing(tmp_path):
    before = counts()
    message = import_csv(
        tmp_path,
        "rater,dataset,image,method,score,repeat\n"
        "a,Set5,baby,bicubic,3,0\n"  # line 2: fine
        "a,Set5,baby,srcnn,6,0\n"  # line 3: score out of range
        ",Set5,bird,bicubic,2,0\n"  # line 4: no rater
        "a,Set5,bird,bicubic,three,0\n"  # line 5: not a number
        "a,Set5,baby,bicubic,4,0\n"  # line 6: same rater, stimulus and repeat as line 2
        "b,Set5,baby,bicubic,4,2\n"  # line 7: repeat is 0 or 1
        "b,Set 5,baby,bicubic,4,0\n"  # line 8: a dataset name with a space
        "b,Set5,baby,Bad Method!,4,0\n"  # line 9: not a method key
        "b,Set5,baby,bicubic\n",  # line 10: too few fields
        "--study",
        "elsewhere",
        "--create",
    )
    assert message.startswith("nothing imported:")
    assert "line 3: column 'score': must be an integer 1 to 5, got '6'" in message
    assert "line 4: column 'rater': is empty" in message
    assert "line 5: column 'score': must be an integer 1 to 5, got 'three'" in message
    assert "line 6: rater 'a' rated Set5/baby/bicubic (repeat 0) already on line 2" in message
    assert "line 7: column 'repeat': must be 0 or 1, got '2'" in message
    assert "line 8: column 'dataset': 'Set 5' is not a valid name" in message
    assert "line 9: column 'method': invalid method name 'Bad Method!'" in message
    assert "line 10: 4 fields, the header has 6" in message
    assert "line 2" not in message.replace("on line 2", "")
    assert counts() == before


def test_it_names_missing_columns_on_the_header_line(tmp_path):
    message = import_csv(
        tmp_path, "rater,dataset,image,score\na,Set5,baby,3\n", "--study", "x", "--create"
    )
    assert "line 1: missing column(s) 'method'" in message
    assert counts()["Study"] == 0


def test_it_refuses_stimuli_the_study_does_not_have_and_raters_it_has(tmp_path):
    small = paper_study(images=2, raters=1)
    before = counts()
    message = import_csv(
        tmp_path,
        "rater,dataset,image,method,score\n"
        "ext,paper-set,img_001,bicubic,3\n"
        "ext,paper-set,img_001,srcnn,3\n"  # line 3: srcnn is not in the study
        "ext,paper-set,img_009,bicubic,3\n",  # line 4: no such image in the study
        "--study",
        small.study.name,
    )
    assert "line 3: paper-set/img_001/srcnn is not a rated stimulus of study 'paper'" in message
    assert "line 4: paper-set/img_009/bicubic is not a rated stimulus" in message
    assert counts() == before

    # Rater "1" is the study's own rater 1: importing a rater of that name is refused.
    message = import_csv(
        tmp_path,
        "rater,dataset,image,method,score\n1,paper-set,img_001,bicubic,3\n",
        "--study",
        small.study.name,
    )
    assert "line 2: rater '1' is already in study 'paper'" in message
    assert counts() == before


def test_it_refuses_an_unknown_study_without_create_and_an_existing_one_with_it(tmp_path):
    small = paper_study()
    text = "rater,dataset,image,method,score\na,paper-set,img_001,bicubic,3\n"
    assert "no study named 'other'" in import_csv(tmp_path, text, "--study", "other")
    assert "already exists" in import_csv(tmp_path, text, "--study", small.study.name, "--create")


def test_it_uses_an_existing_catalog_dataset_only_as_it_is(tmp_path):
    paper_study(images=1)  # the catalog now has dataset paper-set with img_001 only
    before = counts()
    message = import_csv(
        tmp_path,
        "rater,dataset,image,method,score\n"
        "a,paper-set,img_001,bicubic,3\n"
        "a,paper-set,img_001,srcnn,3\n"  # line 3: no srcnn output in the catalog
        "a,paper-set,img_777,bicubic,3\n",  # line 4: no such image in the catalog
        "--study",
        "new",
        "--create",
    )
    assert "line 3: the catalog has no srcnn output for paper-set/img_001" in message
    assert "line 4: the catalog's dataset 'paper-set' has no image 'img_777'" in message
    assert counts() == before


def test_it_reports_an_empty_file_and_a_file_without_rows(tmp_path):
    assert "the file is empty" in import_csv(tmp_path, "", "--study", "x", "--create")
    message = import_csv(tmp_path, "rater,dataset,image,method,score\n", "--study", "x", "--create")
    assert "no ratings" in message
    assert counts()["Study"] == 0
