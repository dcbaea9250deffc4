"""Zip entries never hold ``/``-escapes or ``..``, whatever an older study was named."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.protocol.models import Study
from tests.study.pairwise.exporting import simulated_study

pytestmark = pytest.mark.django_db


def test_it_makes_the_zip_folder_and_download_name_safe():
    study = simulated_study(count=1)
    # A name from before study names had to be slugs.
    Study.objects.filter(pk=study.pk).update(name="../../etc/x y")
    client = Client()
    client.force_login(get_user_model().objects.create_user("lead", is_staff=True))
    response = client.get(f"/dashboard/studies/{study.pk}/export.zip")
    assert response["Content-Disposition"] == 'attachment; filename="etc_x_y-export.zip"'
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names
    assert all(name.startswith("etc_x_y-export/") for name in names)
    assert not any(".." in name or name.startswith("/") for name in names)
