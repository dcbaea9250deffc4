"""``import_ratings`` into two-image studies: each problem named by line and value, none kept."""

from __future__ import annotations

import pytest

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater, RaterBatch
from tests.study.pairwise.exporting import refused
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db

HEADER = "rater,dataset,image,method_a,method_b,winner,response_ms,submitted_at\n"


def _counts() -> tuple[int, int, int, int]:
    return (
        Rater.objects.count(),
        Trial.objects.count(),
        Choice.objects.count(),
        RaterBatch.objects.count(),
    )


def _import(tmp_path, text: str, *options: str) -> str:
    path = tmp_path / "choices.csv"
    path.write_text(text)
    return refused("import_ratings", str(path), *options)


def test_it_checks_every_row_and_names_each_problem_by_line(tmp_path):
    make_catalog(images=2)
    make_two_image_study(raters=1)
    before = _counts()
    message = _import(
        tmp_path,
        HEADER
        + "a,pairs,img_001,nearest,bicubic,bicubic,900,2024-05-01T10:00:00Z\n"  # fine
        + "a,pairs,img_001,nearest,nearest,nearest,,\n"  # line 3
        + "a,pairs,img_001,nearest,bicubic,srcnn,,\n"  # line 4
        + "b,pairs,img_009,nearest,bicubic,bicubic,,\n"  # line 5
        + "b,pairs,img_002,nearest,edsr,edsr,,\n"  # line 6
        + "b,pairs,img_002,nearest,srcnn,srcnn,fast,\n"  # line 7
        + "b,pairs,img_002,nearest,srcnn,srcnn,,yesterday\n"  # line 8
        + "1,pairs,img_002,nearest,srcnn,srcnn,,\n",  # line 9: the study has rater 1
        "--study",
        "pairs-study",
    )
    assert message.startswith("nothing imported:\n")
    assert "line 3: method_a and method_b are both 'nearest'" in message
    assert "line 4: column 'winner': 'srcnn' is neither method_a 'nearest' nor method_b" in message
    assert "line 7: column 'response_ms': must be a whole number >= 0, got 'fast'" in message
    assert "line 8: column 'submitted_at': must be an ISO 8601 date and time, got 'yesterday'" in (
        message
    )
    assert _counts() == before
    # The rows that parse are then checked against the study.
    message = _import(
        tmp_path,
        HEADER
        + "b,pairs,img_009,nearest,bicubic,bicubic,,\n"
        + "b,pairs,img_002,nearest,edsr,edsr,,\n"
        + "1,pairs,img_002,nearest,srcnn,srcnn,,\n",
        "--study",
        "pairs-study",
    )
    assert "line 2: column 'method_a': pairs/img_009/nearest is not a stimulus of study" in message
    assert "line 3: column 'method_b': pairs/img_002/edsr is not a stimulus" in message
    assert "line 4: rater '1' is already in study 'pairs-study'" in message
    assert _counts() == before


def test_it_requires_the_reference_in_every_2afc_real_row(tmp_path):
    make_catalog(images=1)
    make_two_image_study(kind="2afc-real", raters=1)
    before = _counts()
    message = _import(
        tmp_path,
        HEADER
        + "a,pairs,img_001,nearest,hr,hr,,\n"
        + "a,pairs,img_001,nearest,bicubic,bicubic,,\n",
        "--study",
        "pairs-study",
    )
    assert (
        "line 3: a 2afc-real trial compares a method with 'hr', got 'nearest' and 'bicubic'"
        in message
    )
    assert _counts() == before


def test_it_refuses_create_a_missing_study_and_the_acr_format(tmp_path):
    make_catalog(images=1)
    make_two_image_study(raters=1)
    before = _counts()
    row = "a,pairs,img_001,nearest,bicubic,bicubic,,\n"
    assert "--create makes ACR studies only" in _import(
        tmp_path, HEADER + row, "--study", "new", "--create"
    )
    assert "--study: no study named 'other'" in _import(tmp_path, HEADER + row, "--study", "other")
    message = _import(
        tmp_path, "rater,dataset,image,method,score\na,pairs,img_001,bicubic,3\n", "--study",
        "pairs-study",
    )  # fmt: skip
    assert "line 1: missing column(s) 'method_a', 'method_b', 'winner'" in message
    assert _counts() == before
