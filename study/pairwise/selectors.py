"""Reads of two-image studies: the design's stimuli, a rater's page, the long tables.

Everything a rater's browser sees is built here (``page_state``): each image of a
trial has its own URL (the rating app's ``image_url``: rater, position and side) and
trials the HMAC token of the rating app, so nothing served reveals a method, a file
name or the side a method is on, nor that two trials show the same stimulus.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

import pandas as pd
from django.db.models import Count, Max
from django.utils import timezone

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater, Stimulus, Study
from study.rating.selectors import image_url, item_token, visit_stage

# What the rater is asked, by kind.
QUESTIONS = {
    "pairwise": "Which image has the better quality?",
    "2afc-real": "Which image is the real photograph?",
}
# Columns of the long table of trials (one row per trial handed out).
TRIAL_COLUMNS = [
    "rater",
    "simulated",
    "external_source",
    "position",
    "dataset",
    "image",
    "left",
    "right",
    "chosen",
    "response_ms",
    "server_ms",
    "submitted_at",
]


@dataclass(frozen=True)
class Layout:
    """A study's stimuli as the designs see them."""

    # stimuli[dataset][image][method] -> stimulus id (rated stimuli)
    stimuli: dict[str, dict[str, dict[str, int]]]
    # methods[dataset] -> the arm's method order (as the study's definition lists them)
    methods: dict[str, list[str]]
    # references[dataset][image] -> reference stimulus id (kinds with a reference)
    references: dict[str, dict[str, int]]


def kind(study: Study) -> str:
    return str(study.config.get("kind", "acr"))


def per_rater(study: Study) -> int | None:
    value: int | None = study.config.get("pairwise", {}).get("comparisons_per_rater")
    return value


def design(study: Study) -> str:
    return str(study.config.get("pairwise", {}).get("design", "full"))


def layout(*, study: Study) -> Layout:
    stimuli: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    references: dict[str, dict[str, int]] = defaultdict(dict)
    rows = Stimulus.objects.filter(study=study).values_list(
        "id",
        "role",
        "output__image__dataset__name",
        "output__image__name",
        "output__method__key",
    )
    for sid, role, dataset, image, method in rows:
        if role == Stimulus.Role.REFERENCE:
            references[dataset][image] = sid
        elif role == Stimulus.Role.RATING:
            stimuli[dataset][image][method] = sid
    dropped = study.config.get("resolved", {}).get("dropped_methods", {})
    methods = {
        arm["dataset"]: [m for m in arm["methods"] if m not in dropped.get(arm["dataset"], [])]
        for arm in study.config["arms"]
    }
    return Layout(
        stimuli={d: dict(images) for d, images in stimuli.items()},
        methods=methods,
        references=dict(references),
    )


def plan_length(*, rater: Rater) -> int:
    """Trials in the rater's plan: written ahead (full) or as many as the design asks."""
    count = per_rater(rater.study)
    if design(rater.study) == "active" and count is not None:
        return int(count)
    last = Trial.objects.filter(rater=rater).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def trial_at(*, rater: Rater, position: int) -> Trial | None:
    return (
        Trial.objects.filter(rater=rater, position=position)
        .select_related("left__output", "right__output")
        .first()
    )


def trial_presentations(
    *, rater: Rater, positions: Sequence[int]
) -> list[tuple[int, str, Stimulus]]:
    """The two stimuli of each of the rater's trials at ``positions``, by side."""
    trials = Trial.objects.filter(rater=rater, position__in=list(positions)).select_related(
        "left__output", "right__output"
    )
    return [
        (trial.position, side, stimulus)
        for trial in trials
        for side, stimulus in (("left", trial.left), ("right", trial.right))
    ]


def largest_pair(*, study: Study) -> tuple[int, int]:
    """Room two stimuli side by side need: the sum of the two widest, the tallest."""
    sizes = list(
        Stimulus.objects.filter(study=study)
        .exclude(role=Stimulus.Role.CALIBRATION)
        .values_list("output__width", "output__height")
    )
    if not sizes:
        return 0, 0
    widths = sorted((w for w, _ in sizes), reverse=True)
    return sum(widths[:2]), max(h for _, h in sizes)


@dataclass(frozen=True)
class TrialView:
    token: str
    left_url: str
    left_width: int
    left_height: int
    right_url: str
    right_width: int
    right_height: int


@dataclass(frozen=True)
class PageState:
    stage: str  # consent | instructions | compare | break | done | closed
    rater: Rater
    study: Study
    question: str
    trial: TrialView | None = None
    done: int = 0
    total: int = 0
    break_until: datetime | None = None
    need_width: int = 0
    need_height: int = 0

    @property
    def estimated_minutes(self) -> int:
        # About 3 s per choice.
        return max(1, round(self.total * 3 / 60))

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


class _PageBase(TypedDict, total=False):
    """The fields every stage of :class:`PageState` shares (sizes only when ``full``)."""

    rater: Rater
    study: Study
    total: int
    question: str
    need_width: int
    need_height: int


def trial_view(*, rater: Rater, trial: Trial) -> TrialView:
    return TrialView(
        token=item_token(rater=rater, position=trial.position),
        left_url=image_url(rater=rater, position=trial.position, side="left"),
        left_width=trial.left.output.width,
        left_height=trial.left.output.height,
        right_url=image_url(rater=rater, position=trial.position, side="right"),
        right_width=trial.right.output.width,
        right_height=trial.right.output.height,
    )


def page_state(
    *, rater: Rater, trial: Trial | None, full: bool = True, now: datetime | None = None
) -> PageState:
    """The stage of the rater's visit; ``trial`` is the one at the rater's position."""
    now = now or timezone.now()
    study = rater.study
    total = plan_length(rater=rater)
    base: _PageBase = {
        "rater": rater,
        "study": study,
        "total": total,
        "question": QUESTIONS.get(kind(study), QUESTIONS["pairwise"]),
    }
    done = min(rater.position, total)
    stage = visit_stage(rater=rater, total=total, now=now)
    if stage == "done":
        return PageState(stage="done", done=total, **base)
    if full and stage != "closed":
        base["need_width"], base["need_height"] = largest_pair(study=study)
    if stage is not None:
        pause = rater.break_until if stage == "break" else None
        return PageState(stage=stage, done=done, break_until=pause, **base)
    if trial is None:
        return PageState(stage="done", done=total, **base)
    view = trial_view(rater=rater, trial=trial)
    return PageState(stage="compare", trial=view, done=done, **base)


def state_payload(state: PageState) -> dict[str, object]:
    """The JSON the comparison page's script receives after each choice."""
    view = state.trial
    trial = None
    if view is not None:
        trial = {
            "token": view.token,
            "left": {"src": view.left_url, "width": view.left_width, "height": view.left_height},
            "right": {
                "src": view.right_url,
                "width": view.right_width,
                "height": view.right_height,
            },
        }
    return {
        "stage": state.stage,
        "trial": trial,
        "done": state.done,
        "total": state.total,
        "break_until": state.break_until.isoformat() if state.break_until else None,
    }


def trials_frame(*, study: Study) -> pd.DataFrame:
    """Every trial handed out (answered or not), one row each, in rater and position order.

    ``left``/``right``/``chosen`` are method keys; ``chosen`` is empty for a trial not
    answered yet.
    """
    rows = (
        Trial.objects.filter(rater__study=study)
        .order_by("rater__number", "position")
        .values_list(
            "rater__number",
            "rater__simulated",
            "rater__external_source",
            "position",
            "left__output__image__dataset__name",
            "left__output__image__name",
            "left__output__method__key",
            "right__output__method__key",
            "choice__chose_left",
            "choice__response_ms",
            "choice__server_ms",
            "choice__submitted_at",
        )
    )
    records = []
    for number, simulated, source, position, dataset, image, left, right, chose, *times in rows:
        chosen = "" if chose is None else (left if chose else right)
        records.append(
            (number, simulated, source, position, dataset, image, left, right, chosen, *times)
        )
    return pd.DataFrame.from_records(records, columns=TRIAL_COLUMNS)


def answered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["chosen"] != ""].reset_index(drop=True)


def choices_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Answered trials in the statistics' form: ``rater,dataset,image,method_a,method_b,winner``."""
    done = answered(frame)
    return pd.DataFrame(
        {
            "rater": done["rater"].astype(str),
            "dataset": done["dataset"],
            "image": done["image"],
            "method_a": done["left"],
            "method_b": done["right"],
            "winner": done["chosen"],
        }
    )


def fool_table(frame: pd.DataFrame, *, reference: str) -> pd.DataFrame:
    """Answered 2AFC trials as ``dataset, method, chose_generated`` (``reference``: hr)."""
    done = answered(frame)
    method = done["left"].where(done["left"] != reference, done["right"])
    return pd.DataFrame(
        {
            "rater": done["rater"].astype(str),
            "dataset": done["dataset"],
            "method": method,
            "chose_generated": done["chosen"] != reference,
        }
    )


def answers_so_far(*, study: Study) -> list[tuple[int, int, int, bool | None]]:
    """What active sampling reads: (rater id, left id, right id, chose_left) of every trial.

    Stimulus ids only, no joins: the caller maps them through ``layout`` (this read
    is on the path of every active draw).
    """
    return list(
        Trial.objects.filter(rater__study=study)
        .values_list("rater_id", "left_id", "right_id", "choice__chose_left")
        .iterator(chunk_size=5000)
    )


def has_choices(*, study: Study) -> bool:
    return Choice.objects.filter(trial__rater__study=study).exists()


def output_has_choices(*, output_id: int) -> bool:
    return Choice.objects.filter(trial__left__output_id=output_id).exists() or (
        Choice.objects.filter(trial__right__output_id=output_id).exists()
    )


def choices_by_study() -> dict[int, int]:
    return dict(
        Choice.objects.values("trial__rater__study_id")
        .annotate(n=Count("id"))
        .values_list("trial__rater__study_id", "n")
    )
