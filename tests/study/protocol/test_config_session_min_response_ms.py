"""``[session] min_response_ms``: the screening's floor of a rater's median server time."""

from __future__ import annotations

import pytest

from study.protocol.config import ConfigError, config_from_dict, parse_config

BASE = 'raters = 1\n[[arms]]\ndataset = "Set5"\nmethods = ["hr"]\n'


def test_it_defaults_to_500_and_reads_the_session_table():
    assert parse_config(BASE).session.min_response_ms == 500
    config = parse_config(BASE + "[session]\nmin_response_ms = 800\n")
    assert config.session.min_response_ms == 800
    assert config_from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "session.min_response_ms: must be 0 to 600000, got -1"),
        ('"fast"', "session.min_response_ms: must be an integer, got a string 'fast'"),
    ],
)
def test_it_names_the_key_of_a_bad_floor(value, message):
    with pytest.raises(ConfigError) as refused:
        parse_config(BASE + f"[session]\nmin_response_ms = {value}\n")
    assert refused.value.errors == [message]
