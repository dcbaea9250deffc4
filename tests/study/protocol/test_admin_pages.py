from __future__ import annotations

import pytest

from study.protocol.config import parse_config
from study.protocol.models import Study
from study.protocol.services import create_study
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db


def test_it_lists_every_protocol_model(admin_client):
    small_catalog()
    create_study(name="s", config=parse_config(SMALL_TOML))
    for model in ("study", "stimulus", "rater", "planitem"):
        page = admin_client.get(f"/admin/protocol/{model}/")
        assert page.status_code == 200, model
        assert admin_client.get(f"/admin/protocol/{model}/add/").status_code == 403, model
    listing = admin_client.get("/admin/protocol/rater/").content.decode()
    assert "0 / 31" in listing  # progress: position / plan length


def test_it_opens_and_closes_studies_through_actions(admin_client):
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML))
    url = "/admin/protocol/study/"

    admin_client.post(url, {"action": "open_selected", "_selected_action": [study.pk]})
    assert Study.objects.get(pk=study.pk).state == "open"
    admin_client.post(url, {"action": "close_selected", "_selected_action": [study.pk]})
    assert Study.objects.get(pk=study.pk).state == "closed"
    # A draft's session limits are editable; the seed never is.
    draft, _ = create_study(name="d", config=parse_config(SMALL_TOML))
    page = admin_client.get(f"/admin/protocol/study/{draft.pk}/change/").content
    assert b'name="items_per_sitting"' in page
    assert b'name="seed"' not in page
