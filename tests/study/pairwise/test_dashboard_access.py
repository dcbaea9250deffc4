"""The two-image study page is for staff; without choices it renders and offers no zip."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page():
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    for url in (
        f"/dashboard/studies/{study.pk}/",
        f"/dashboard/studies/{study.pk}/live.json",
        f"/dashboard/studies/{study.pk}/export.zip",
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={url}"


def test_it_renders_without_choices_and_explains_a_missing_zip():
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    client = Client()
    client.force_login(
        get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    )
    page = client.get(f"/dashboard/studies/{study.pk}/").content.decode()
    assert '<td id="progress-1">0 / 3</td>' in page
    assert "No choices yet." in page
    assert "download-export" not in page
    response = client.get(f"/dashboard/studies/{study.pk}/export.zip", follow=True)
    assert "study &#x27;pairs-study&#x27; has no choices to export" in response.content.decode()
