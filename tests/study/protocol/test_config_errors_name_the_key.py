from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.protocol.models import PlanItem, Rater, Stimulus, Study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Study.objects.count(),
        Stimulus.objects.count(),
        Rater.objects.count(),
        PlanItem.objects.count(),
    )


CASES = {
    "unknown method": (
        SMALL_TOML.replace('"bicubic", "hr"]', '"bicubic", "foo"]'),
        "arms[1].methods[2]: unknown method 'foo'",
    ),
    "unknown dataset": (
        SMALL_TOML.replace('dataset = "B"', 'dataset = "Set15"'),
        "arms[1].dataset: unknown dataset 'Set15' (known: A, B, Cal)",
    ),
    "retest method not in the arm": (
        SMALL_TOML.replace('method = "srgan-vgg54"', 'method = "srcnn"'),
        "retest.method: 'srcnn' is not among the methods of the A arm",
    ),
    "retest dataset without an arm": (
        SMALL_TOML.replace('[retest]\ndataset = "A"', '[retest]\ndataset = "Cal"'),
        "retest.dataset: 'Cal' is not the dataset of any arm",
    ),
    "zero raters": (
        SMALL_TOML.replace("raters = 3", "raters = 0"),
        "raters: must be 1 to 100000, got 0",
    ),
    "raters as text": (
        SMALL_TOML.replace("raters = 3", 'raters = "three"'),
        "raters: must be an integer, got a string 'three'",
    ),
    "malformed TOML": (
        SMALL_TOML.replace('dataset = "A"\nmethods', 'dataset = "A\nmethods'),
        "study.toml: malformed TOML: ",
    ),
    "unknown key": (
        SMALL_TOML.replace("[session]\n", "[session]\nbreaks = 3\n"),
        "session.breaks: unknown key",
    ),
    "anchor score out of range": (
        SMALL_TOML.replace('method = "hr", score = 5', 'method = "hr", score = 6'),
        "calibration.high.score: must be 1 to 5, got 6",
    ),
    "too many calibration images": (
        SMALL_TOML.replace("images = 2\nlow", "images = 7\nlow"),
        "calibration.images: 7 images requested, Cal has 6",
    ),
    "method listed twice": (
        SMALL_TOML.replace('"bicubic", "hr"]', '"bicubic", "nearest"]'),
        "arms[1].methods[2]: 'nearest' is listed twice",
    ),
    "no arms": ("seed = 1\nraters = 2\n", "arms: is required"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_it_names_the_key_and_writes_nothing(case, tmp_path):
    small_catalog()
    text, message = CASES[case]
    path = tmp_path / "study.toml"
    path.write_text(text)
    before = counts()

    with pytest.raises(CommandError) as caught:
        call_command("create_study", "s", "--config", str(path), stdout=StringIO())

    assert message in str(caught.value)
    assert counts() == before == (0, 0, 0, 0)


def test_it_reports_every_problem_at_once(tmp_path):
    small_catalog()
    path = tmp_path / "study.toml"
    path.write_text(SMALL_TOML.replace("raters = 3", "raters = 0").replace("seed = 7", "seed = -1"))

    with pytest.raises(CommandError) as caught:
        call_command("create_study", "s", "--config", str(path), stdout=StringIO())

    assert "seed: must be at least 0, got -1" in str(caught.value)
    assert "raters: must be 1 to 100000, got 0" in str(caught.value)
