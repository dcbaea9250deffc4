"""Each side of each trial has its own image URL; both sides of a pair have one byte length.

A stimulus that appears in several trials is never served twice under one URL, and in
a real-or-generated trial the HR photograph's larger file no longer tells it apart.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from study.pairwise.models import Trial
from study.protocol.models import Rater
from study.rating import services as rater_services
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db

_STATE = re.compile(r'<script id="compare-state" type="application/json">(.*?)</script>', re.S)


def payload(client, rater) -> dict:
    html = client.get(f"/c/{rater.token}/").content.decode()
    return json.loads(_STATE.search(html).group(1))


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


@pytest.mark.parametrize("kind", ["pairwise", "2afc-real"])
def test_every_side_of_every_trial_has_its_own_url_and_one_length(client, kind):
    make_catalog(images=2, methods=("nearest", "bicubic", "srcnn", "hr"))
    methods = ("nearest", "bicubic", "srcnn") if kind == "pairwise" else ("nearest", "bicubic")
    study = make_two_image_study(kind=kind, methods=methods, raters=1)
    rater = study.raters.get()
    rater_services.give_consent(rater=rater)
    rater_services.start_rating(rater=rater)
    urls: dict[tuple[int, str], str] = {}
    for trial in Trial.objects.filter(rater=rater).select_related("left__output", "right__output"):
        Rater.objects.filter(pk=rater.pk).update(position=trial.position)
        shown = payload(client, rater)["trial"]
        lengths = set()
        for side, stimulus in (("left", trial.left), ("right", trial.right)):
            urls[(trial.position, side)] = shown[side]["src"]
            response = client.get(shown[side]["src"])
            assert response.status_code == 200
            assert "ETag" not in response
            with stimulus.output.file.open("rb") as handle:
                assert (pixels(response.content) == pixels(handle.read())).all()
            lengths.add(len(response.content))
        assert len(lengths) == 1  # one photograph, one length
    assert len(set(urls.values())) == len(urls)
    # Stimuli shown in more than one trial: different URLs every time.
    by_stimulus: dict[int, list[str]] = {}
    for trial in Trial.objects.filter(rater=rater):
        for side, sid in (("left", trial.left_id), ("right", trial.right_id)):
            by_stimulus.setdefault(sid, []).append(urls[(trial.position, side)])
    repeated = [shown for shown in by_stimulus.values() if len(shown) > 1]
    assert repeated
    assert all(len(set(shown)) == len(shown) for shown in repeated)
