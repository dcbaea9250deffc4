"""``[quality]`` is checked like the rest of the file: every problem at once, by key."""

from __future__ import annotations

import pytest

from study.protocol.config import ConfigError, Gold, Quality, config_from_dict, parse_config
from study.protocol.models import Study
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import SMALL_TOML, make_dataset, small_catalog

QUALITY = """
[quality]
gold = { dataset = "Cal", images = 2, low = "nearest", high = "hr" }
attention = 1
reject_if = ["gold", "attention", "too_fast"]
screen_out_code = "SCREENED"
"""


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="study.toml")
    return caught.value.errors


def test_it_reads_the_quality_table_and_stores_it_round_trip():
    config = parse_config(SMALL_TOML + QUALITY)
    assert config.quality == Quality(
        gold=Gold(dataset="Cal", images=2, low="nearest", high="hr"),
        attention=1,
        reject_if=("gold", "attention", "too_fast"),
        screen_out_code="SCREENED",
    )
    assert config.quality.items == 5
    assert config_from_dict(config.to_dict()) == config
    # A study without [quality] stores no "quality" key: its definition is unchanged.
    assert "quality" not in parse_config(SMALL_TOML).to_dict()


def test_it_names_each_bad_key_of_the_quality_table():
    text = (
        SMALL_TOML
        + """
[quality]
gold = { dataset = "A", images = 0, low = "hr", high = "hr" }
reject_if = ["gold", "attention", "bored", "gold"]
screen_out_code = "not a code!"
colour = "red"
"""
    )
    assert errors(text) == [
        "quality.colour: unknown key (expected one of: gold, attention, reject_if, "
        "screen_out_code)",
        "quality.gold.images: must be 1 to 50, got 0",
        "quality.gold.high: must differ from the low method",
        "quality.gold.dataset: 'A' is rated (arms[0]): a gold item must never be a rated "
        "photograph; draw gold items from a calibration-role dataset no arm rates",
        "quality.reject_if[2]: unknown rule 'bored' (expected one of: gold, attention, "
        "too_fast, bt500, calibration, low_correlation, straight_lining, inconsistent)",
        "quality.reject_if[3]: 'gold' is listed twice",
        "quality.screen_out_code: 'not a code!': 1 to 32 letters, digits, '-' or '_' (typed "
        "by raters, sent in links)",
        "quality.reject_if: names 'attention' but [quality] has no attention items (attention = N)",
    ]


def test_it_wants_a_screen_out_code_for_rules_decided_at_the_end():
    text = SMALL_TOML + '[quality]\nattention = 2\nreject_if = ["attention"]\n'
    assert errors(text) == [
        "quality.screen_out_code: is required when reject_if names gold or attention: the "
        "done page shows it to rejected raters (and the completion redirect carries it)"
    ]
    # Panel rules apply in exports only: no code needed.
    assert parse_config(SMALL_TOML + '[quality]\nreject_if = ["bt500"]\n').quality.reject_if == (
        "bt500",
    )
    assert errors(SMALL_TOML + '[quality]\nreject_if = ["gold"]\nscreen_out_code = "S"\n') == [
        "quality.reject_if: names 'gold' but [quality] has no gold items (gold = ...)"
    ]


def test_it_refuses_quality_items_in_two_image_studies():
    text = 'kind = "pairwise"\nraters = 2\n[[arms]]\ndataset = "A"\nmethods = ["a", "b"]\n'
    assert errors(text + "[quality]\nattention = 1\n") == [
        "quality: not used by kind 'pairwise' (two-image studies have no quality)"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quality", "message"),
    [
        (
            'gold = { dataset = "Test2", images = 1 }',
            "quality.gold.dataset: 'Test2' is a test dataset; quality items come from a "
            "calibration-role dataset (import_dataset --role calibration)",
        ),
        (
            'gold = { dataset = "Cal", images = 4 }\nattention = 1',
            # Cal has 6 photographs, 2 of them calibration examples.
            "quality.gold.dataset: 4 gold and 1 attention images requested, Cal has 4 "
            "photographs that are not calibration examples",
        ),
        (
            'gold = { dataset = "Cal", images = 1, high = "srgan-vgg54" }',
            "quality.gold.high: no srgan-vgg54 output for 1 of the 1 chosen Cal images",
        ),
    ],
)
def test_it_checks_the_gold_dataset_against_the_catalog_and_writes_nothing(quality, message):
    small_catalog()
    make_dataset("Test2", 4, ["nearest", "hr"])
    text = SMALL_TOML + "[quality]\n" + quality + "\n"
    with pytest.raises(ConfigError) as caught:
        create_study(name="s", config=parse_config(text))
    assert caught.value.errors[0].startswith(message)
    assert not Study.objects.exists()
