"""The dashboard is for staff: anonymous -> login, signed-in non-staff -> 403, POST needs CSRF."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from study.protocol.models import Study
from tests.study.analysis.helpers import paper_study

pytestmark = pytest.mark.django_db


def urls(pk: int) -> list[str]:
    base = f"/dashboard/studies/{pk}"
    return [
        "/dashboard/",
        f"{base}/",
        f"{base}/live.json",
        f"{base}/figure5.png",
        f"{base}/export.zip",
    ]


def test_it_sends_anonymous_visitors_to_the_login_page():
    small = paper_study()
    client = Client()
    for url in urls(small.study.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/admin/login/?next={url}"
    response = client.post(f"/dashboard/studies/{small.study.pk}/close")
    assert response.status_code == 302
    assert Study.objects.get(pk=small.study.pk).state == Study.State.OPEN


def test_it_refuses_a_signed_in_user_who_is_not_staff():
    small = paper_study()
    user = get_user_model().objects.create_user("rater", password="x-long-password")
    client = Client()
    client.force_login(user)
    for url in urls(small.study.pk):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/dashboard/studies/{small.study.pk}/close").status_code == 403
    assert Study.objects.get(pk=small.study.pk).state == Study.State.OPEN


def test_it_lets_staff_in_and_changes_state_only_by_a_csrf_protected_post():
    small = paper_study()
    staff = get_user_model().objects.create_user("lead", password="x-long-password", is_staff=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(f"/dashboard/studies/{small.study.pk}/")
    assert page.status_code == 200
    assert client.get("/dashboard/").status_code == 200

    close = f"/dashboard/studies/{small.study.pk}/close"
    assert client.get(close).status_code == 405
    assert client.post(close).status_code == 403  # no CSRF token
    assert Study.objects.get(pk=small.study.pk).state == Study.State.OPEN

    token = client.cookies["csrftoken"].value  # set by the page's forms
    response = client.post(close, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Study.objects.get(pk=small.study.pk).state == Study.State.CLOSED
    follow = client.get(response["Location"])
    assert "study &#x27;paper&#x27; is closed" in follow.content.decode()

    # Closing again is refused by the protocol service; the page says why.
    response = client.post(close, {"csrfmiddlewaretoken": token}, follow=True)
    assert "only an open study closes" in response.content.decode()
    response = client.post(
        f"/dashboard/studies/{small.study.pk}/open", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Study.objects.get(pk=small.study.pk).state == Study.State.OPEN
