"""A calibration image is never also rated, unless ``[calibration] allow_overlap = true``.

With ``[calibration] dataset = "Set5"`` beside a Set5 arm the same photograph was shown
as "Example of score 5" and then rated. ``create_study`` refuses it, naming the key
and the images, and creates nothing; the researcher may allow it knowingly.
"""

from __future__ import annotations

import pytest

from study.protocol.config import ConfigError, parse_config
from study.protocol.models import Study
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import make_dataset

pytestmark = pytest.mark.django_db

TOML = """\
seed = 3
raters = 2
[[arms]]
dataset = "Set5"
methods = ["nearest", "bicubic", "hr"]
[[arms]]
dataset = "Set14"
methods = ["nearest", "hr"]
[calibration]
dataset = "{calibration}"
images = 2
low = {{ method = "nearest", score = 1 }}
high = {{ method = "hr", score = 5 }}
{extra}"""


def catalog() -> None:
    make_dataset("Set5", 5, ["nearest", "bicubic", "hr"])
    make_dataset("Set14", 6, ["nearest", "hr"])
    make_dataset("BSD300-train", 8, ["nearest", "hr"], role="calibration")


def test_it_refuses_calibration_images_of_a_rated_arm_naming_them():
    catalog()
    config = parse_config(TOML.format(calibration="Set14", extra=""))
    with pytest.raises(ConfigError) as refused:
        create_study(name="overlap", config=config)
    (error,) = refused.value.errors
    assert error.startswith("calibration.dataset: 'Set14' is also rated (arms[1]): ")
    drawn = error.split("calibration images ")[1].split(" would")[0].split(", ")
    assert len(drawn) == 2
    assert set(drawn) <= {f"img_{i:03d}" for i in range(1, 7)}  # Set14's images
    assert "allow_overlap = true" in error
    assert not Study.objects.exists()


def test_it_builds_the_study_when_the_overlap_is_allowed_or_absent():
    catalog()
    allowed = parse_config(TOML.format(calibration="Set5", extra="allow_overlap = true\n"))
    assert allowed.calibration.allow_overlap is True
    study, design = create_study(name="allowed", config=allowed)
    assert set(design.calibration_images) <= {f"img_{i:03d}" for i in range(1, 6)}
    assert study.config["calibration"]["allow_overlap"] is True
    apart = parse_config(TOML.format(calibration="BSD300-train", extra=""))
    assert apart.calibration.allow_overlap is False
    create_study(name="apart", config=apart)
    assert Study.objects.count() == 2


def test_allow_overlap_must_be_a_boolean():
    with pytest.raises(ConfigError) as refused:
        parse_config(TOML.format(calibration="Set5", extra='allow_overlap = "yes"\n'))
    assert refused.value.errors == [
        "calibration.allow_overlap: must be true or false, got a string 'yes'"
    ]
