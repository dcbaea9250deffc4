"""Shared steps of the export, import, simulation and dashboard tests of two-image studies."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from django.core.management import CommandError, call_command

from study.protocol.models import Study
from study.rating import services as rater_services
from tests.study.pairwise.factories import make_catalog, make_two_image_study

PAIRWISE_FILES = [
    "choices.csv",
    "manifest.json",
    "pairwise.csv",
    "scale.csv",
    "scale.pdf",
    "scale.png",
    "tables.md",
    "tables.tex",
]
FOOLRATE_FILES = [
    "choices.csv",
    "foolrate.csv",
    "foolrate.pdf",
    "foolrate.png",
    "manifest.json",
    "tables.md",
    "tables.tex",
]


def simulated_study(
    *, kind: str = "pairwise", count: int = 4, seed: int = 5, images: int = 2, **options: object
) -> Study:
    """A small open study (3 methods, ``images`` photographs) with simulated raters.

    Rater 1 is a person who opened the link (consented): their place is taken, so the
    simulated raters are 2 and up.
    """
    make_catalog(images=images)
    study = make_two_image_study(kind=kind, raters=1, **options)
    rater_services.give_consent(rater=study.raters.get(number=1))
    run("simulate_raters", study.name, "--count", str(count), "--seed", str(seed))
    return study


def run(*args: str) -> str:
    """A management command's output (raises CommandError as the command does)."""
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    """The message of a command that must fail."""
    try:
        run(*args)
    except CommandError as exc:
        return str(exc)
    raise AssertionError(f"{args[0]} did not fail")


def export(study: Study, folder: Path, *options: str) -> Path:
    run("export_results", study.name, "--out", str(folder), *options)
    return folder


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, keep_default_na=False, dtype={"rater": str})
