"""What a rater's page shows: the stage they are in and the plan items around their position.

Everything a rater's browser sees is built here, so this is the one place to check
that nothing reveals the method, the file name or the design. Items are addressed by
an HMAC token, and so is every presentation of an image (``image_token``: rater,
position and side), never the stimulus: the two presentations of a test-retest
stimulus have two unrelated URLs, so neither a rater nor a script can match them by
address, and a URL answers only around the rater's position, only while the study is
open (``presented_stimulus``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from study.protocol import kinds
from study.protocol.models import PlanItem, Rater, Stimulus, Study

_ITEM_SALT = "study.rating.item"
_IMAGE_SALT = "study.rating.image"
# The positions whose images a rater may fetch, around their own: the item just
# answered (still on screen while the answer travels), the current one, and the
# next one (preloaded).
IMAGE_WINDOW = (-1, 0, 1)


def item_token(*, rater: Rater, position: int) -> str:
    """An unguessable id for one plan item of one rater: reveals neither design nor order."""
    return salted_hmac(_ITEM_SALT, f"{rater.pk}:{position}", algorithm="sha256").hexdigest()[:32]


def token_matches(*, rater: Rater, position: int, token: str) -> bool:
    return constant_time_compare(item_token(rater=rater, position=position), token)


def image_token(*, rater: Rater, position: int, side: str = "") -> str:
    """The name of one presentation of an image: the rater's plan position (and side).

    A stimulus shown twice (the retest repeat) or in two trials gets two unrelated
    names, and the name says nothing of the stimulus behind it.
    """
    message = f"{rater.pk}:{position}:{side}"
    return salted_hmac(_IMAGE_SALT, message, algorithm="sha256").hexdigest()[:32]


def image_url(*, rater: Rater, position: int, side: str = "") -> str:
    """Where the rater's page loads the image of one presentation (``side``: two-image)."""
    image = image_token(rater=rater, position=position, side=side)
    return reverse("rating:stimulus", kwargs={"token": rater.token, "image": image})


def presented_stimulus(*, rater: Rater, image: str) -> Stimulus | None:
    """The stimulus the rater's page shows under ``image``, or None.

    Only the presentations around the rater's position answer (``IMAGE_WINDOW``), and
    none once the study is not open: a URL seen earlier is dead, a later one unknown.
    The study's kind says what its plan shows where (plan items, two-image trials).
    """
    if rater.study.state != Study.State.OPEN:
        return None
    positions: Sequence[int] = [
        rater.position + step for step in IMAGE_WINDOW if rater.position + step >= 0
    ]
    for position, side, stimulus in kinds.of(rater.study).presentations(rater, positions):
        if constant_time_compare(image_token(rater=rater, position=position, side=side), image):
            return stimulus
    return None


@dataclass(frozen=True)
class ItemView:
    token: str
    position: int  # not sent to the browser: the server notes when the item is served
    phase: str
    image_url: str
    width: int
    height: int
    anchor_score: int | None


@dataclass(frozen=True)
class PageState:
    stage: str  # consent | instructions | calibration | rating | break | done | closed
    rater: Rater
    study: Study
    item: ItemView | None = None
    next_item: ItemView | None = None
    done: int = 0
    total: int = 0
    calibration_total: int = 0
    break_until: datetime | None = None
    max_width: int = 0
    max_height: int = 0

    @property
    def estimated_minutes(self) -> int:
        # About 4 s per rated image (the paper's raters needed a few seconds each).
        return max(1, round(self.total * 4 / 60))

    @property
    def rated(self) -> int:
        """Rating items done: calibration examples come first and are shown, not rated."""
        return max(0, self.done - self.calibration_total)

    @property
    def rating_total(self) -> int:
        return max(0, self.total - self.calibration_total)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def get_rater(*, token: str) -> Rater | None:
    return Rater.objects.select_related("study").filter(token=token).first()


def _item_view(*, rater: Rater, plan_item: PlanItem) -> ItemView:
    stimulus = plan_item.stimulus
    return ItemView(
        token=item_token(rater=rater, position=plan_item.position),
        position=plan_item.position,
        phase=plan_item.phase,
        image_url=image_url(rater=rater, position=plan_item.position),
        width=stimulus.output.width,
        height=stimulus.output.height,
        anchor_score=stimulus.anchor_score,
    )


def _items_from(*, rater: Rater, position: int, count: int) -> list[PlanItem]:
    return list(
        PlanItem.objects.filter(rater=rater, position__gte=position)
        .select_related("stimulus__output")
        .order_by("position")[:count]
    )


def plan_length(*, rater: Rater) -> int:
    """Items in the rater's plan: positions run 0..n-1, so the last position says it."""
    last = PlanItem.objects.filter(rater=rater).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def calibration_length(*, rater: Rater) -> int:
    return PlanItem.objects.filter(rater=rater, phase=PlanItem.Phase.CALIBRATION).count()


def largest_stimulus(*, study: Study) -> tuple[int, int]:
    sizes = Stimulus.objects.filter(study=study).aggregate(
        width=Max("output__width"), height=Max("output__height")
    )
    return sizes["width"] or 0, sizes["height"] or 0


def visit_stage(*, rater: Rater, total: int, now: datetime) -> str | None:
    """Where a rater's visit stands before any item: done, closed, consent, instructions
    or break; None while they answer. Every study kind's page follows this ladder."""
    if rater.finished_at is not None or (total and rater.position >= total):
        return "done"
    if rater.study.state != Study.State.OPEN:
        return "closed"
    if rater.consented_at is None:
        return "consent"
    if rater.started_at is None:
        return "instructions"
    if rater.break_until is not None and rater.break_until > now:
        return "break"
    return None


def page_state(*, rater: Rater, full: bool = True, now: datetime | None = None) -> PageState:
    """The stage of the rater's visit and, while rating, the current and next items.

    ``full=False`` leaves out what only the server-rendered pages show (the largest
    stimulus, the calibration length): the submit request's JSON answer is on the
    hot path of every rating.
    """
    now = now or timezone.now()
    study = rater.study
    total = plan_length(rater=rater)
    base: dict = {"rater": rater, "study": study, "total": total}
    if full:
        base["calibration_total"] = calibration_length(rater=rater)
    done = min(rater.position, total)
    stage = visit_stage(rater=rater, total=total, now=now)
    if stage == "done":
        return PageState(stage="done", done=total, **base)
    if full and stage != "closed":
        base["max_width"], base["max_height"] = largest_stimulus(study=study)
    if stage is not None:
        pause = rater.break_until if stage == "break" else None
        return PageState(stage=stage, done=done, break_until=pause, **base)
    items = _items_from(rater=rater, position=rater.position, count=2)
    if not items:
        return PageState(stage="done", done=total, **base)
    current = _item_view(rater=rater, plan_item=items[0])
    following = _item_view(rater=rater, plan_item=items[1]) if len(items) > 1 else None
    return PageState(stage=current.phase, item=current, next_item=following, done=done, **base)


def state_payload(state: PageState) -> dict:
    """The JSON the rating page's script receives after each submission."""

    def item(view: ItemView | None) -> dict | None:
        if view is None:
            return None
        return {
            "token": view.token,
            "phase": view.phase,
            "image": view.image_url,
            "width": view.width,
            "height": view.height,
            "anchor": view.anchor_score,
        }

    return {
        "stage": state.stage,
        "item": item(state.item),
        "next": item(state.next_item),
        "done": state.done,
        "total": state.total,
        "break_until": state.break_until.isoformat() if state.break_until else None,
    }
