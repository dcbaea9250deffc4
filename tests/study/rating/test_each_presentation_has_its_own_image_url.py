"""Every presentation of an image has its own URL: the retest repeat cannot be matched.

Before, both presentations of a retest stimulus used ``/r/<token>/s/<stimulus id>``
(cached for a day), so a rater or a script could spot the repeat and copy the first
score. Now an image's URL names the rater's plan position, and nothing served (URL,
ETag, Last-Modified, body) is shared by two presentations.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from study.protocol.models import PlanItem, Rater
from study.rating.selectors import image_url
from tests.study.rating.pages import page_payload, submit_json

pytestmark = pytest.mark.django_db


def pixels(body: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))


def test_it_gives_the_retest_repeat_a_url_of_its_own(client, rating_rater):
    rater = rating_rater
    shown: dict[int, str] = {}  # plan position -> image URL shown there
    bodies: dict[int, bytes] = {}
    payload = page_payload(client, rater)
    while payload["stage"] in {"calibration", "rating"}:
        rater.refresh_from_db()
        item = payload["item"]
        shown[rater.position] = item["image"]
        response = client.get(item["image"])
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=86400"
        for header in ("ETag", "Last-Modified", "Expires", "Vary"):
            assert header not in response, header
        bodies[rater.position] = response.content
        following = payload["next"]
        payload = submit_json(client, rater, item)
        if following is not None and payload["item"] is not None:
            # The preloaded next image is the one shown next: the browser's cache serves it.
            assert payload["item"]["image"] == following["image"]

    plan = dict(
        PlanItem.objects.filter(rater=rater, phase="rating").values_list("position", "stimulus_id")
    )
    assert set(plan) <= set(shown)
    retested = [pos for pos, sid in plan.items() if list(plan.values()).count(sid) == 2]
    assert len(retested) == 2
    first, repeat = sorted(retested)
    assert shown[first] != shown[repeat]
    assert len(set(shown.values())) == len(shown)  # no two presentations share a URL
    # The same pixels (it is the same stimulus), never the same bytes.
    assert (pixels(bodies[first]) == pixels(bodies[repeat])).all()
    assert bodies[first] != bodies[repeat]
    assert shown[first].split("/i/")[0] == f"/r/{rater.token}"


def test_it_answers_only_around_the_raters_position(client, rating_rater):
    rater = rating_rater
    here = rater.position
    for position, status in ((here - 1, 200), (here, 200), (here + 1, 200), (here + 2, 404)):
        assert client.get(image_url(rater=rater, position=position)).status_code == status
    Rater.objects.filter(pk=rater.pk).update(position=here + 3)
    assert client.get(image_url(rater=rater, position=here)).status_code == 404
    # The old address of a stimulus is gone.
    stimulus = rater.plan.get(position=here).stimulus
    assert client.get(f"/r/{rater.token}/s/{stimulus.public_id}").status_code == 404
