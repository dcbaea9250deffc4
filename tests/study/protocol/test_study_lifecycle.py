from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.protocol.config import parse_config
from study.protocol.models import Study
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_it_goes_draft_open_closed_and_can_reopen():
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML))
    assert study.state == "draft"

    with pytest.raises(CommandError, match="study 's' is draft; only an open study closes"):
        run("close_study", "s")
    assert run("open_study", "s") == "study 's' is open"
    opened = Study.objects.get(name="s")
    assert (opened.state, opened.closed_at) == ("open", None)
    assert opened.opened_at is not None
    with pytest.raises(CommandError, match="already open"):
        run("open_study", "s")

    assert run("close_study", "s") == "study 's' is closed"
    closed = Study.objects.get(name="s")
    assert closed.state == "closed"
    assert closed.closed_at >= closed.opened_at

    # Reopening keeps the first opening time and clears the closing time.
    assert run("open_study", "s") == "study 's' is open"
    reopened = Study.objects.get(name="s")
    assert (reopened.state, reopened.opened_at, reopened.closed_at) == (
        "open", opened.opened_at, None
    )  # fmt: skip


def test_it_names_an_unknown_study():
    small_catalog()
    create_study(name="known", config=parse_config(SMALL_TOML))
    with pytest.raises(CommandError, match="no study named 'unknown' \\(studies: known\\)"):
        run("open_study", "unknown")


def test_it_stores_the_definition_and_session_limits():
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML), source=SMALL_TOML)
    assert (study.seed, study.items_per_sitting, study.break_minutes) == (7, 10, 2)
    assert study.config_source == SMALL_TOML
    assert study.config["arms"][1] == {"dataset": "B", "methods": ["nearest", "bicubic", "hr"]}
    assert study.config["resolved"]["retest_images"] == sorted(
        study.config["resolved"]["retest_images"]
    )
    assert study.stimuli.filter(retest=True).count() == 2
