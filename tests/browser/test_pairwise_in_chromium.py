"""A rater takes two-image studies in Chromium with the keyboard only, through a reload,
a lost response, a lost request with a reload, and a double key press; the choices
stored are exactly the ones made (the side pressed on the pair as it was shown)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater
from study.rating.selectors import image_url, item_token
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db(transaction=True)

SIDE = {"ArrowLeft": "left", "1": "left", "ArrowRight": "right", "2": "right"}
SIZE = (64, 48)


@dataclass(frozen=True)
class Shown:
    token: str
    left: str
    right: str


@dataclass(frozen=True)
class Made:
    shown: Shown
    side: str


def shown(page, previous: str | None = None) -> Shown:
    """Wait until a trial other than ``previous`` is on screen and answerable; return it."""
    page.wait_for_function(
        """previous => {
            const item = document.querySelector('#choose-form input[name=item]');
            const imgs = ['left-image', 'right-image'].map(id => document.getElementById(id));
            return document.body.dataset.ready === '1' &&
                item && item.value !== previous && imgs.every(img =>
                img.complete && img.naturalWidth > 0 && !img.classList.contains('loading')) &&
                !document.getElementById('left-button').disabled &&
                !document.getElementById('right-button').disabled;
        }""",
        arg=previous,
    )
    token, left, right = page.evaluate(
        """() => [document.querySelector('#choose-form input[name=item]').value,
                  document.getElementById('left-image').getAttribute('src'),
                  document.getElementById('right-image').getAttribute('src')]"""
    )
    return Shown(token=token, left=left, right=right)


def choices(rater: Rater) -> int:
    return Choice.objects.filter(trial__rater=rater).count()


def consent_and_start(page, url: str) -> Shown:
    page.goto(url)
    page.focus("input[name=agree]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#viewing-check:has-text('large enough')")
    page.focus("#start-button")
    page.keyboard.press("Enter")
    return shown(page)


def press(page, key: str, current: Shown, made: list[Made], *, last: bool = False) -> Shown:
    page.keyboard.press(key)
    made.append(Made(current, SIDE[key]))
    return current if last else shown(page, current.token)


def lose_a_response(page, rater: Rater, current: Shown, made: list[Made]) -> Shown:
    """The server stores the choice but its answer is lost: the retry gets stored=false."""
    answers: list[bool] = []
    lost = {"done": False}

    def handle(route) -> None:
        response = route.fetch()  # the server stores the choice here
        if not lost["done"]:
            lost["done"] = True
            route.abort()
            return
        answers.append(response.json()["stored"])
        route.fulfill(response=response)

    page.route("**/choose", handle)
    after = press(page, "ArrowRight", current, made)
    page.unroute("**/choose")
    assert answers == [False]
    assert choices(rater) == len(made)
    return after


def lose_a_request_then_reload(page, rater: Rater, current: Shown, made: list[Made]) -> Shown:
    """The choice never reaches the server; after a reload the page sends it from storage."""
    lost = {"on": True}
    page.route("**/choose", lambda route: route.abort() if lost["on"] else route.continue_())
    page.keyboard.press("1")
    made.append(Made(current, "left"))
    page.wait_for_selector("#status:has-text('Connection problem')")
    page.reload()
    # The reloaded page found the pending choice and tried it (lost again: still none).
    page.wait_for_selector("#status:has-text('Connection problem')")
    assert choices(rater) == len(made) - 1
    lost["on"] = False
    after = shown(page, current.token)
    page.unroute("**/choose")
    assert choices(rater) == len(made)
    return after


def double_press(page, rater: Rater, current: Shown, made: list[Made]) -> Shown:
    """Two keys in quick succession: one choice (the first key's), one trial further."""
    posts: list[str] = []

    def count(request) -> None:
        if request.url.endswith("/choose"):
            posts.append(request.post_data or "")

    page.on("request", count)
    page.keyboard.press("1")
    page.keyboard.press("2")
    made.append(Made(current, "left"))
    after = shown(page, current.token)
    page.wait_for_timeout(300)
    page.remove_listener("request", count)
    # The page sent one choice (its busy flag), and the server stored one.
    assert len(posts) == 1
    assert "side=left" in posts[0]
    rater.refresh_from_db()
    assert choices(rater) == len({m.shown.token for m in made}) == len(made)
    assert rater.position == len(made)
    assert after.token == item_token(rater=rater, position=len(made))
    return after


def take_the_study(page, base_url: str, rater: Rater, screenshot: Path) -> list[Made]:
    made: list[Made] = []
    current = consent_and_start(page, f"{base_url}/c/{rater.token}/?PROLIFIC_PID=p-77")
    sizes = page.evaluate(
        """() => ['left-image', 'right-image'].map(id => {
                const img = document.getElementById(id), box = img.getBoundingClientRect();
                return [box.width, box.height, img.naturalWidth, img.naturalHeight]; })"""
    )
    assert sizes == [[*SIZE, *SIZE], [*SIZE, *SIZE]]
    assert page.text_content("#progress-text").strip() == "0 of 6"
    page.screenshot(path=str(screenshot))
    current = press(page, "ArrowLeft", current, made)
    assert page.text_content("#progress-text").strip() == "1 of 6"
    current = press(page, "2", current, made)
    page.reload()  # a reload in the middle shows the same trial again
    assert shown(page) == current
    current = lose_a_response(page, rater, current, made)
    current = lose_a_request_then_reload(page, rater, current, made)
    current = double_press(page, rater, current, made)
    assert page.text_content("#progress-text").strip() == "5 of 6"
    press(page, "ArrowRight", current, made, last=True)
    page.wait_for_selector("#completion-code")
    return made


def assert_stored_as_made(rater: Rater, made: list[Made]) -> list[Trial]:
    trials = list(
        Trial.objects.filter(rater=rater)
        .order_by("position")
        .select_related(
            "choice", "left__output__method", "left__output__image", "right__output__method"
        )
    )
    assert choices(rater) == len(trials) == len(made) == 6
    for position, (trial, one) in enumerate(zip(trials, made, strict=True)):
        assert one.shown.token == item_token(rater=rater, position=position)
        # The sides as served: each side of each trial has its own image URL.
        assert one.shown.left == image_url(rater=rater, position=position, side="left")
        assert one.shown.right == image_url(rater=rater, position=position, side="right")
        assert trial.choice.chose_left is (one.side == "left")
        assert trial.choice.response_ms is not None
        assert trial.choice.response_ms < 60_000
    assert [m.side for m in made] == ["left", "right", "right", "left", "left", "right"]
    return trials


def all_pairs(methods: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(a, b) for k, a in enumerate(methods) for b in methods[k + 1 :]]


def against_hr(methods: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(m, "hr") for m in methods]


def assert_exported_as_made(study, trials: list[Trial], made: list[Made], out: Path) -> None:
    """``export_results`` writes the same choices: one row per answered trial, in order."""
    call_command("export_results", study.name, "--out", str(out))
    exported = pd.read_csv(out / "choices.csv", dtype={"image": str})
    assert len(exported) == len(made)
    rows = exported.sort_values("position").to_dict("records")
    for row, trial, one in zip(rows, trials, made, strict=True):
        left, right = trial.left.output.method.key, trial.right.output.method.key
        assert row["position"] == trial.position
        assert (row["dataset"], row["image"]) == ("pairs", trial.left.output.image.name)
        assert (row["left"], row["right"]) == (left, right)
        assert row["chosen"] == (left if one.side == "left" else right)
        assert row["response_ms"] == trial.choice.response_ms


@pytest.mark.parametrize(
    ("kind", "methods", "images", "pairs_of"),
    [
        # Full design: every pair of methods on every image, once.
        ("pairwise", ("nearest", "bicubic", "srcnn"), 2, all_pairs),
        # Every method's output against the real photograph, on every image.
        ("2afc-real", ("bicubic", "srcnn"), 3, against_hr),
    ],
)
def test_it_stores_exactly_the_choices_made_with_the_keyboard(
    live_server, page, artifacts_dir, tmp_path, kind, methods, images, pairs_of
):
    make_catalog(images=images, size=SIZE)
    study = make_two_image_study(kind=kind, methods=methods, raters=1)
    rater = study.raters.get()
    made = take_the_study(page, live_server.url, rater, artifacts_dir / f"{kind}-page.png")

    rater.refresh_from_db()
    assert page.text_content("#completion-code").strip() == rater.completion_code
    assert rater.external_id == "p-77"
    assert rater.finished_at is not None
    trials = assert_stored_as_made(rater, made)
    shown_pairs = sorted(
        (t.left.output.image.name, *sorted((t.left.output.method.key, t.right.output.method.key)))
        for t in trials
    )
    expected = [
        (f"img_{i:03d}", *sorted(pair)) for i in range(1, images + 1) for pair in pairs_of(methods)
    ]
    assert shown_pairs == sorted(expected)
    assert_exported_as_made(study, trials, made, tmp_path / "export")


def test_it_pauses_while_the_window_is_too_small_for_both_images(live_server, page):
    make_catalog(images=1, size=SIZE)
    rater = make_two_image_study(raters=1).raters.get()
    current = consent_and_start(page, f"{live_server.url}/c/{rater.token}/")

    # Two 64-pixel images, the gap and the page's padding need 160 CSS pixels.
    page.set_viewport_size({"width": 150, "height": 800})
    page.wait_for_selector("#fit-notice:has-text('too small')")
    assert page.is_disabled("#left-button")
    assert page.is_disabled("#right-button")
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    assert choices(rater) == 0

    page.set_viewport_size({"width": 1400, "height": 1000})
    page.wait_for_selector("#fit-notice", state="hidden")
    assert shown(page) == current
    page.keyboard.press("ArrowLeft")
    shown(page, current.token)
    assert list(Choice.objects.values_list("chose_left", flat=True)) == [True]


def test_it_works_without_javascript(live_server, browser):
    make_catalog(images=1, size=SIZE)
    rater = make_two_image_study(raters=1).raters.get()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/c/{rater.token}/")
        page.check("input[name=agree]")
        page.click("button:has-text('Continue')")
        page.click("#start-button")
        for position, button in enumerate(["#left-button", "#right-button", "#left-button"]):
            token = page.input_value("#choose-form input[name=item]")
            assert token == item_token(rater=rater, position=position)
            page.click(button)  # the form posts, the server redirects to the next page
        page.wait_for_selector("#completion-code")
    finally:
        context.close()
    chosen = Choice.objects.order_by("trial__position").values_list("chose_left", flat=True)
    assert list(chosen) == [True, False, True]
