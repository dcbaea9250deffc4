"""The README's commands exist and accept the options it shows; its TOML example is valid."""

from __future__ import annotations

import re
import shlex

import pytest
from django.core.management import get_commands, load_command_class

from srmodels.cli import build_parser
from study.protocol.config import parse_config
from tests.services import ROOT

README = (ROOT / "README.md").read_text()


def code_blocks(language: str = "") -> list[str]:
    """The fenced code blocks of the README (fences may be indented in lists)."""
    blocks, current, fence = [], None, ""
    for line in README.splitlines():
        stripped = line.strip()
        if current is None and stripped.startswith("```"):
            current, fence = [], stripped[3:]
        elif current is not None and stripped == "```":
            if fence == language:
                blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(stripped)
    return blocks


def shown_commands(prefix: str) -> list[list[str]]:
    """Every command line of the README that starts with ``prefix``, as argv lists."""
    lines = []
    for block in code_blocks():
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith(prefix):
                lines.append(shlex.split(line)[len(shlex.split(prefix)) :])
    return lines


def test_it_shows_management_commands_that_exist_with_their_options():
    commands = shown_commands("python manage.py")
    assert len(commands) >= 10
    available = get_commands()
    for argv in commands:
        name, args = argv[0], argv[1:]
        assert name in available, f"README shows unknown command {name!r}"
        parser = load_command_class(available[name], name).create_parser("manage.py", name)
        parser.parse_args(args)  # exits (fails the test) on an unknown option


def test_it_shows_srmodels_commands_that_parse():
    commands = shown_commands("python -m srmodels")
    assert {argv[0] for argv in commands} >= {"methods", "downscale", "upscale", "evaluate"}
    parser = build_parser()
    for argv in commands:
        parser.parse_args(argv)


def test_it_shows_valid_study_definitions_of_every_kind():
    blocks = code_blocks("toml")
    # A block that is one table of the ACR example (e.g. [quality]) is read appended to it.
    whole = [t for t in blocks if not t.startswith("[quality]")]
    acr, pairwise, real = (parse_config(t, source="README.md") for t in whole)
    (quality,) = [parse_config(whole[0] + "\n" + t).quality for t in blocks if t not in whole]
    assert quality.reject_if == ("gold", "attention")
    assert quality.gold.dataset == acr.calibration.dataset
    assert acr.kind == "acr"
    assert acr.raters == 26
    assert acr.calibration.low.score == 1
    assert acr.retest.method in acr.arms[0].methods
    assert pairwise.kind == "pairwise"
    assert pairwise.pairwise.design == "active"
    assert pairwise.pairwise.comparisons_per_rater == 120
    assert real.kind == "2afc-real"
    assert real.reference_method == "hr"


@pytest.mark.parametrize("target", ["demo", "test", "run", "worker", "lint", "format", "bench"])
def test_it_shows_make_targets_that_exist(target):
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, flags=re.M)
    if target in {"demo", "test"}:
        assert re.search(rf"^make {target}$", README, flags=re.M)
