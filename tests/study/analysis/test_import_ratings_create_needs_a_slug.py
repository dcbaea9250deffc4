"""``import_ratings --create`` names its study by the rules of ``create_study``: a slug."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from study.protocol.models import Study

pytestmark = pytest.mark.django_db


def test_it_refuses_a_study_name_that_is_not_a_slug_and_writes_nothing(tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text("rater,dataset,image,method,score\na,Set5,baby,bicubic,3\n")
    with pytest.raises(CommandError) as error:
        call_command("import_ratings", str(path), "--study", "../other", "--create")
    assert "--study: name: '../other' is not a study name" in str(error.value)
    assert not Study.objects.exists()
