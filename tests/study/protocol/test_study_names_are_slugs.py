"""Study names are slugs: letters, digits, ``-`` and ``_``, so no export path can escape."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.analysis.exports import zip_files
from study.protocol.config import ConfigError, parse_config
from study.protocol.models import Study
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db

REFUSED = [
    "..",
    "../evil",
    "a/b",
    "a\\b",
    "/abs",
    "x y",
    "a.b",
    "caf\u00e9",
    "a%2Fb",
    "",
    "x" * 101,
]


@pytest.mark.parametrize("name", REFUSED)
def test_it_refuses_a_name_that_is_not_a_slug(name):
    small_catalog()
    with pytest.raises(ConfigError) as error:
        create_study(name=name, config=parse_config(SMALL_TOML))
    assert error.value.errors == [
        f"name: {name!r} is not a study name; use 1 to 100 letters, digits, '-' or '_'"
    ]
    assert not Study.objects.exists()


def test_the_command_names_the_rule(tmp_path):
    small_catalog()
    config = tmp_path / "study.toml"
    config.write_text(SMALL_TOML)
    with pytest.raises(CommandError, match=r"name: '\.\./x' is not a study name"):
        call_command("create_study", "../x", "--config", str(config), stdout=io.StringIO())
    assert not Study.objects.exists()


def test_accepted_names_make_plain_zip_entries():
    small_catalog()
    for name in ("paper-2017_v2", "A", "x" * 100, " padded "):
        study, _ = create_study(name=name, config=parse_config(SMALL_TOML))
        assert study.name == name.strip()
        archive = zipfile.ZipFile(io.BytesIO(zip_files(f"{study.name}-export", [("a.csv", b"")])))
        [entry] = archive.namelist()
        assert entry == f"{study.name}-export/a.csv"
        assert ".." not in entry.split("/")
        assert "\\" not in entry
        assert not entry.startswith("/")
