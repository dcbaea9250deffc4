"""Stimulus URLs of a study that is not open answer 404 to raters (and again once reopened)."""

from __future__ import annotations

import pytest

from study.protocol import services as protocol_services
from study.rating.selectors import image_url

pytestmark = pytest.mark.django_db


def test_it_answers_404_once_the_study_is_closed(client, rating_rater):
    url = image_url(rater=rating_rater, position=rating_rater.position)
    assert client.get(url).status_code == 200
    protocol_services.close_study(study=rating_rater.study)
    assert client.get(url).status_code == 404
    protocol_services.open_study(study=rating_rater.study)
    assert client.get(url).status_code == 200
