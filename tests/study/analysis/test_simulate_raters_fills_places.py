"""Places add up: ``raters = 26`` makes 26 places, ``invite_raters`` lists the unopened
ones, and ``simulate_raters`` fills them before it adds anybody."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from study.analysis.selectors import rater_batches
from study.protocol.config import parse_config
from study.protocol.models import RaterBatch
from study.protocol.services import create_study
from study.rating.models import Rating
from study.rating.services import give_consent
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db


def links(name: str, tmp_path, *args: str) -> list[str]:
    out = tmp_path / f"links-{len(list(tmp_path.iterdir()))}.csv"
    call_command("invite_raters", name, "--out", str(out), *args, stdout=io.StringIO())
    return [row["rater"] for row in csv.DictReader(out.open())]


def test_it_fills_the_26_places_and_adds_nobody(tmp_path):
    small_catalog()
    study, _ = create_study(
        name="s", config=parse_config(SMALL_TOML.replace("raters = 3", "raters = 26"))
    )
    assert links("s", tmp_path) == [str(n) for n in range(1, 27)]

    call_command("simulate_raters", "s", "--count", "26", "--seed", "4", stdout=io.StringIO())
    raters = study.raters.order_by("number")
    assert raters.count() == 26
    assert all(r.simulated and r.finished_at is not None for r in raters)
    rated = Rating.objects.filter(plan_item__rater__study=study).count()
    assert rated == 26 * (4 * 4 + 3 * 3 + 2)  # every rating item of every plan
    assert links("s", tmp_path) == []
    batch = RaterBatch.objects.get(study=study)
    assert (batch.first_number, batch.last_number, batch.numbers) == (1, 26, "1-26")


def test_it_skips_opened_places_and_adds_raters_only_for_the_rest(tmp_path):
    small_catalog()
    study, _ = create_study(
        name="s", config=parse_config(SMALL_TOML.replace("raters = 3", "raters = 5"))
    )
    study.state = "open"
    study.save()
    for number in (2, 4):
        give_consent(rater=study.raters.get(number=number))
    assert links("s", tmp_path) == ["1", "3", "5"]
    # --count adds places beyond and lists them with the unopened ones.
    assert links("s", tmp_path, "--count", "1") == ["1", "3", "5", "6"]

    said = io.StringIO()
    call_command("simulate_raters", "s", "--count", "5", "--seed", "4", stdout=said)
    assert said.getvalue() == "5 simulated raters (1,3,5-7) added to 's' with 135 ratings\n"
    simulated = list(study.raters.filter(simulated=True).values_list("number", flat=True))
    assert simulated == [1, 3, 5, 6, 7]
    assert not study.raters.filter(number__in=[2, 4], simulated=True).exists()
    assert [batch["raters"] for batch in rater_batches(study=study)] == ["1,3,5-7"]
    assert links("s", tmp_path) == []
