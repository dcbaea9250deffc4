"""``kind`` and ``[pairwise]`` in a study's TOML: read, checked, stored and read back."""

from __future__ import annotations

import pytest

from study.protocol.config import ConfigError, Pairwise, config_from_dict, parse_config

ARM = '[[arms]]\ndataset = "Set14"\nmethods = ["bicubic", "srgan-mse", "hr"]\n'


def _errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.errors


def test_it_defaults_to_acr_and_stores_no_kind():
    config = parse_config("raters = 2\n" + ARM)
    assert config.kind == "acr"
    assert config.pairwise is None
    assert "kind" not in config.to_dict()
    assert "pairwise" not in config.to_dict()


def test_it_reads_a_pairwise_study_and_reads_its_stored_form_back():
    config = parse_config(
        'kind = "pairwise"\nraters = 2\n' + ARM + '[pairwise]\ndesign = "active"\n'
        "comparisons_per_rater = 120\n"
    )
    assert config.pairwise == Pairwise(design="active", comparisons_per_rater=120)
    assert config_from_dict(config.to_dict()) == config


def test_it_gives_an_active_design_a_default_number_of_comparisons():
    config = parse_config(
        'kind = "pairwise"\nraters = 2\n' + ARM + '[pairwise]\ndesign = "active"\n'
    )
    assert config.pairwise == Pairwise(design="active", comparisons_per_rater=100)


def test_it_names_every_problem_of_a_two_image_study():
    errors = _errors(
        'kind = "2afc-real"\nraters = 2\n'
        + ARM
        + '[pairwise]\ndesign = "greedy"\ncomparisons_per_rater = 0\n'
        + '[retest]\ndataset = "Set14"\nmethod = "bicubic"\nimages = 2\n'
    )
    assert (
        "arms[0].methods[2]: 'hr' is the reference of every 2afc-real trial, not one of its methods"
        in errors
    )
    assert "pairwise.design: must be one of full, active, got 'greedy'" in errors
    assert "pairwise.comparisons_per_rater: must be 1 to 100000, got 0" in errors
    assert "retest: not used by kind '2afc-real' (two-image studies have no retest)" in errors


def test_it_refuses_an_unknown_kind_and_a_pairwise_table_in_an_acr_study():
    assert _errors('kind = "mushra"\nraters = 2\n' + ARM) == [
        "kind: must be one of acr, pairwise, 2afc-real, got 'mushra'"
    ]
    assert _errors("raters = 2\n" + ARM + '[pairwise]\ndesign = "full"\n') == [
        'pairwise: is for two-image studies (kind = "pairwise" or "2afc-real")'
    ]


def test_it_needs_two_methods_in_a_pairwise_arm():
    errors = _errors(
        'kind = "pairwise"\nraters = 2\n[[arms]]\ndataset = "Set5"\nmethods = ["bicubic"]\n'
    )
    assert errors == ["arms[0].methods: a pairwise arm needs at least two methods to compare"]


def test_it_keeps_active_sampling_to_pairwise_studies():
    errors = _errors(
        'kind = "2afc-real"\nraters = 2\n[[arms]]\ndataset = "Set5"\nmethods = ["bicubic"]\n'
        '[pairwise]\ndesign = "active"\n'
    )
    assert errors == [
        "pairwise.design: 'active' chooses pairs of methods; every 2afc-real trial pairs a "
        "method with 'hr' (use 'full')"
    ]
