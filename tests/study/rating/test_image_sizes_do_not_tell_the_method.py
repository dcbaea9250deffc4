"""The byte size of a served image says nothing of its method: a size ranking is chance.

Within one photograph the PNG size orders the methods (a blocky nearest-neighbour
image compresses better than the photograph itself): ranking a photograph's images
by ``Content-Length`` guessed the method of 23 of 25 items. Every stimulus of one
photograph is now served at one byte length, and still decodes to its own pixels.
"""

from __future__ import annotations

import io
from collections import defaultdict

import numpy as np
import pytest
from PIL import Image

from study.protocol.models import PlanItem, Rater
from study.rating.selectors import image_url
from tests.study.rating.factories import make_study
from tests.study.rating.sized_files import chance, resize_outputs_by_method, size_ranking_accuracy

pytestmark = pytest.mark.django_db


def test_a_size_ranking_of_the_served_images_is_chance(client):
    small = make_study(methods=("nearest", "bicubic", "hr"), images=3, calibration_images=2)
    resize_outputs_by_method()
    rater = small.raters[0]
    served: dict[str, dict[str, int]] = defaultdict(dict)
    stored: dict[str, dict[str, int]] = defaultdict(dict)
    items = PlanItem.objects.filter(rater=rater).select_related(
        "stimulus__output__method", "stimulus__output__image__dataset"
    )
    for item in items:
        Rater.objects.filter(pk=rater.pk).update(position=item.position)
        response = client.get(image_url(rater=rater, position=item.position))
        assert response.status_code == 200
        output = item.stimulus.output
        assert int(response["Content-Length"]) == len(response.content)
        with output.file.open("rb") as handle:
            original = handle.read()
        # The padded PNG decodes to exactly the stored pixels.
        decoded = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
        assert (decoded == np.asarray(Image.open(io.BytesIO(original)).convert("RGB"))).all()
        photograph = f"{output.image.dataset.name}/{output.image.name}"
        served[photograph][output.method.key] = len(response.content)
        stored[photograph][output.method.key] = len(original)

    assert len(served) == 3 + 2  # rated photographs and calibration photographs
    # The files themselves give the method away every time ...
    assert size_ranking_accuracy(stored) == 1.0
    # ... what is served does not: one length per photograph, a ranking is chance.
    assert all(len(set(by_method.values())) == 1 for by_method in served.values())
    assert size_ranking_accuracy(served) == pytest.approx(chance(served))
