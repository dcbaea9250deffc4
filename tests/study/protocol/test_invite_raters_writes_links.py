from __future__ import annotations

import base64
import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from study.protocol.config import parse_config
from study.protocol.models import PlanItem, Rater
from study.protocol.services import close_study, create_study, open_study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def study():
    small_catalog()
    return create_study(name="s", config=parse_config(SMALL_TOML))[0]


def test_it_adds_raters_with_plans_and_writes_their_links(study, tmp_path, settings):
    settings.SITE_URL = "https://mos.example.org"
    out = tmp_path / "links.csv"
    call_command("invite_raters", "s", "--count", "2", "--out", str(out), stdout=io.StringIO())

    # The three places of raters = 3, nobody opened yet, and the two added.
    rows = list(csv.DictReader(out.open()))
    assert [row["rater"] for row in rows] == ["1", "2", "3", "4", "5"]
    for row in rows:
        rater = Rater.objects.get(study=study, number=int(row["rater"]))
        assert row["url"] == f"https://mos.example.org/r/{rater.token}/"
        # At least 128 random bits in the token.
        assert len(base64.urlsafe_b64decode(rater.token + "==")) * 8 >= 128
        assert PlanItem.objects.filter(rater=rater).count() == 4 + 4 * 4 + 3 * 3 + 2
    assert len(set(Rater.objects.values_list("token", flat=True))) == 5


def test_it_lists_only_the_places_nobody_has_opened(study, tmp_path):
    Rater.objects.filter(study=study, number=2).update(consented_at=timezone.now())
    Rater.objects.filter(study=study, number=3).update(external_id="PID-3")
    out = tmp_path / "links.csv"
    call_command("invite_raters", "s", "--out", str(out), stdout=io.StringIO())
    assert [row["rater"] for row in csv.DictReader(out.open())] == ["1"]
    assert Rater.objects.count() == 3


def test_it_lists_every_link_to_stdout(study):
    out = io.StringIO()
    call_command("invite_raters", "s", "--all", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "rater,url"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "3"]


def test_it_invites_while_open_but_not_once_closed(study):
    open_study(study=study)
    call_command("invite_raters", "s", "--count", "1", stdout=io.StringIO())
    close_study(study=study)
    with pytest.raises(CommandError, match="study 's' is closed; reopen it to add raters"):
        call_command("invite_raters", "s", "--count", "1", stdout=io.StringIO())
    assert Rater.objects.count() == 4
