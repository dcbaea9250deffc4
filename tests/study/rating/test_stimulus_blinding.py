from __future__ import annotations

import io
import re

from PIL import Image

from study.catalog.models import Output
from tests.study.rating.factories import make_study


def test_it_serves_stimuli_under_opaque_ids_only(client, rating_rater):
    page = client.get(f"/r/{rating_rater.token}/").content.decode()
    for word in (
        "nearest",
        "bicubic",
        "hr/",
        "outputs/",
        "img_0",
        ".png",
        "small-set",
        "retest",
        "calibration",
    ):
        assert word not in page.lower(), word
    urls = re.findall(r'src="(/r/[^"]+/s/[^"]+)"', page)
    assert len(urls) == 1
    response = client.get(urls[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "filename" not in response.get("Content-Disposition", "")
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (64, 48)


def test_it_refuses_a_stimulus_of_another_study(client, rating_rater):
    other = make_study(name="other")
    foreign = other.study.stimuli.first()
    response = client.get(f"/r/{rating_rater.token}/s/{foreign.public_id}")
    assert response.status_code == 404
    assert Output.objects.count() > 0
