"""A rater's browser cannot match a retest pair by URL nor read the method from a size.

The two presentations of a retest stimulus load from two URLs, and every image of one
photograph arrives at one byte length (its Content-Length, and what the page's own
``performance`` entries show), so ranking a photograph's images by size is chance.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from study.protocol.models import PlanItem
from study.rating.selectors import image_url
from tests.browser.test_rating_in_chromium import start_rating, wait_for_item
from tests.study.rating.factories import make_study
from tests.study.rating.sized_files import chance, resize_outputs_by_method, size_ranking_accuracy

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_retest_pair_has_two_urls_and_a_photograph_one_size(live_server, page):
    small = make_study(methods=("nearest", "bicubic", "hr"), images=3, calibration_images=1)
    resize_outputs_by_method()
    rater = small.raters[0]
    lengths: dict[str, str] = {}  # image URL -> Content-Length as received

    def keep_length(response) -> None:
        if "/i/" in response.url:
            lengths.setdefault(response.url, response.headers.get("content-length", ""))

    page.on("response", keep_length)
    start_rating(page, f"{live_server.url}/r/{rater.token}/")
    token = wait_for_item(page)
    total = rater.plan.count()
    for position in range(total - 1):  # the last answer reloads the page: stop before it
        page.keyboard.press("3" if position >= 2 else "Enter")
        token = wait_for_item(page, token)
    entries = page.evaluate(
        """() => performance.getEntriesByType('resource').filter(e => e.name.includes('/i/'))
                 .map(e => [new URL(e.name).pathname, e.encodedBodySize])"""
    )

    at = {
        image_url(rater=rater, position=item.position): item
        for item in PlanItem.objects.filter(rater=rater).select_related(
            "stimulus__output__method", "stimulus__output__image"
        )
    }
    loaded = dict(entries)
    assert set(loaded) == set(at)  # every presentation's image, each under its own URL
    retest = [url for url, item in at.items() if item.stimulus.retest]
    assert len(retest) == 2
    assert retest[0] != retest[1]
    sizes: dict[str, dict[str, int]] = defaultdict(dict)
    for path, item in at.items():
        output = item.stimulus.output
        header = next(int(v) for url, v in lengths.items() if url.endswith(path))
        assert header == loaded[path]
        sizes[output.image.name][output.method.key] = loaded[path]
    assert all(len(set(by_method.values())) == 1 for by_method in sizes.values())
    assert size_ranking_accuracy(sizes) == pytest.approx(chance(sizes))
