from __future__ import annotations

import io
import re

from PIL import Image

from study.catalog.models import Output
from study.protocol.models import Rater
from study.rating.selectors import image_url
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
    urls = re.findall(r'src="(/r/[^"]+/i/[^"]+)"', page)
    assert len(urls) == 1
    response = client.get(urls[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "filename" not in response.get("Content-Disposition", "")
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (64, 48)


def test_it_refuses_an_image_of_another_rater_or_study(client, rating_rater):
    other = make_study(name="other")
    foreign = other.raters[0]
    Rater.objects.filter(pk=foreign.pk).update(position=rating_rater.position)
    theirs = image_url(rater=foreign, position=rating_rater.position)
    mine = image_url(rater=rating_rater, position=rating_rater.position)
    assert client.get(mine).status_code == 200
    assert client.get(theirs).status_code == 200  # their own link works for them
    # Their image name under my link, and the old by-stimulus address: unknown.
    assert client.get(mine.rsplit("/", 1)[0] + "/" + theirs.rsplit("/", 1)[1]).status_code == 404
    stimulus = other.study.stimuli.first()
    assert client.get(f"/r/{rating_rater.token}/s/{stimulus.public_id}").status_code == 404
    assert Output.objects.count() > 0
