"""A rater's visit through the pages, as a browser (or a script) makes it: HTML, then JSON."""

from __future__ import annotations

import json
import re
from typing import Any

from django.test import Client

from study.protocol.models import Rater

_STATE = re.compile(r'<script id="rating-state" type="application/json">(.*?)</script>', re.S)


def page_payload(client: Client, rater: Rater) -> dict[str, Any]:
    """The state the rating page hands its script (current and next item)."""
    html = client.get(f"/r/{rater.token}/").content.decode()
    found = _STATE.search(html)
    assert found, "the page shows no item"
    return json.loads(found.group(1))


def submit_json(
    client: Client, rater: Rater, item: dict[str, Any], *, score: str = "3", response_ms: str = ""
) -> dict[str, Any]:
    """Answer ``item`` as the page's script does; returns the JSON answer."""
    data = {"item": item["token"], "response_ms": response_ms}
    if item["phase"] == "rating":
        data["score"] = score
    response = client.post(f"/r/{rater.token}/submit", data, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()
