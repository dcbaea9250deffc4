from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from srmodels.imageio import save_png
from study.catalog.models import Output
from study.protocol.config import parse_config
from study.protocol.models import PlanItem
from study.protocol.services import create_study
from study.rating.models import Rating
from tests.study.catalog.images import photo, write_folder

pytestmark = pytest.mark.django_db

TOML = """\
raters = 1
[[arms]]
dataset = "Rated"
methods = ["nearest", "bicubic", "hr"]
"""


def test_it_refuses_to_replace_an_output_that_has_ratings(tmp_path):
    write_folder(tmp_path / "hr", {"a": (32, 32), "b": (32, 32)})
    call_command("import_dataset", "Rated", str(tmp_path / "hr"), stdout=StringIO())
    study, _ = create_study(name="s", config=parse_config(TOML))
    rated = PlanItem.objects.get(
        rater__study=study,
        stimulus__output__method__key="bicubic",
        stimulus__output__image__name="a",
    )
    Rating.objects.create(plan_item=rated, score=2)
    before = Output.objects.get(image__name="a", method__key="bicubic")
    folder = tmp_path / "published"
    folder.mkdir()
    save_png(folder / "a.png", photo(32, 32, 50))
    save_png(folder / "b.png", photo(32, 32, 51))
    err = StringIO()

    with pytest.raises(CommandError, match="1 image"):
        call_command(
            "import_outputs", "Rated", "bicubic", str(folder), "--pattern", "{name}.png",
            "--replace", stdout=StringIO(), stderr=err,
        )  # fmt: skip

    assert "the bicubic output of Rated/a has ratings in a study; it cannot be replaced" in (
        err.getvalue()
    )
    after = Output.objects.get(image__name="a", method__key="bicubic")
    assert (after.checksum, after.origin) == (before.checksum, "generated")
    # The unrated image was replaced.
    assert Output.objects.get(image__name="b", method__key="bicubic").origin == "imported"
