"""Quality control in a real browser: gold and attention items look like any rating item;
a rater who fails a gold item is shown the screen-out code and sent back with it, an
attentive rater gets a completion code of their own."""

from __future__ import annotations

import pytest

from study.protocol.models import PlanItem, Rater
from tests.browser.test_rating_in_chromium import start_rating, wait_for_item
from tests.study.protocol.quality_catalog import careful_score, quality_catalog, quality_study

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "https://app.prolific.com/submissions/complete?cc="


def rate_in_the_browser(page, rater: Rater, *, fail_gold: bool) -> None:
    """Rate every item with the keyboard; the score of each is chosen from the database."""
    # rate.js has run (it adds the fit notice): a key pressed before it would be lost.
    page.wait_for_selector("#fit-notice", state="attached")
    token = wait_for_item(page)
    total = rater.plan.count()
    for position in range(total):
        item = PlanItem.objects.select_related("stimulus__output__method").get(
            rater=rater, position=position
        )
        # The page says nothing of the item: the same controls, alt text and no anchor.
        assert page.is_visible("#score-controls")
        assert not page.is_visible("#anchor")
        assert page.get_attribute("#stimulus", "alt") == "Photograph to rate"
        score = careful_score(item, 3)
        if fail_gold and item.stimulus.role == "gold":
            score = 5 if item.stimulus.output.method.key == "nearest" else 1
        page.keyboard.press(str(score))
        if position < total - 1:
            token = wait_for_item(page, token)


@pytest.mark.parametrize("fail_gold", [True, False], ids=["fails-gold", "attentive"])
def test_it_ends_with_the_code_the_checks_decide(live_server, page, fail_gold):
    quality_catalog(size=(120, 80))
    study = quality_study()
    rater = study.raters.get(number=1)
    page.route(
        f"{REDIRECT}*",
        lambda route: route.fulfill(status=200, body="ok", content_type="text/plain"),
    )
    start_rating(page, f"{live_server.url}/r/{rater.token}/?PROLIFIC_PID=p-{fail_gold}")
    rate_in_the_browser(page, rater, fail_gold=fail_gold)

    if fail_gold:
        page.wait_for_selector("#screen-out-code")
        code = page.text_content("#screen-out-code").strip()
        assert code == "SCREENED"
        assert not page.is_visible("#completion-code")
    else:
        page.wait_for_selector("#completion-code")
        code = page.text_content("#completion-code").strip()
        assert len(code) == 10
    rater = Rater.objects.get(pk=rater.pk)
    assert rater.completion_code == code
    assert (rater.rejected, rater.rejection_reasons) == (
        (True, "gold") if fail_gold else (False, "")
    )
    assert page.get_attribute("#continue-link", "href") == f"{REDIRECT}{code}"
    page.wait_for_url(f"{REDIRECT}{code}", timeout=15_000)
