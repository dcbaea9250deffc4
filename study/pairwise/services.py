"""Writes of two-image studies: plans (trials), the active design's next trial, choices.

Like the rating app's submission service, a rater's choice locks the rater's row: under
it a choice is for the current trial (stored, position advanced), a repeat of the trial
just answered (nothing stored, the same answer: double presses, retries after a lost
response), or refused with nothing written. The rater's consent, start and breaks are
the rating app's (``study.rating.services``), shared by every kind.

Active design. A rater's next trial is drawn when the rater reaches it: under the
rater's row lock, then the study's (always in that order, so no two requests wait on
each other), from every answer and every trial handed out so far in the arm. The
study's lock serialises the draws of concurrent raters, so each draw sees every trial
handed out before it (none is chosen from a stale state); the unique (rater, position)
makes a second draw for the same position impossible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from study.pairwise import active, plans, selectors
from study.pairwise.models import Choice, Trial
from study.protocol.config import ConfigError
from study.protocol.models import Rater, Study
from study.rating.services import (
    SubmissionRejected,
    lock_for_answer,
    new_completion_code,
    parse_response_ms,
    server_elapsed_ms,
)

SIDES = {"left": True, "right": False}


def write_plans(study: Study, raters: Iterable[Rater]) -> None:
    """Every trial of new raters of a full design; an active design draws them later."""
    if selectors.design(study) == "active":
        return
    found = selectors.layout(study=study)
    universe = plans.comparisons(found.stimuli, found.methods, found.references or None)
    rows = []
    for rater in raters:
        try:
            trials = plans.rater_trials(
                universe, seed=study.seed, rater=rater.number, per_rater=selectors.per_rater(study)
            )
        except plans.PlanError as exc:
            raise ConfigError(str(exc)) from None
        rows += [
            Trial(rater=rater, position=position, left_id=left, right_id=right)
            for position, (left, right) in enumerate(trials)
        ]
    Trial.objects.bulk_create(rows, batch_size=5000)


def delete_plans(study: Study) -> None:
    Trial.objects.filter(rater__study=study).delete()


def current_trial(*, rater: Rater) -> Trial | None:
    """The trial at the rater's position; drawn now for an active design that lacks it."""
    found = selectors.trial_at(rater=rater, position=rater.position)
    if found is not None or selectors.design(rater.study) != "active":
        return found
    if rater.position >= selectors.plan_length(rater=rater) or rater.finished_at is not None:
        return None
    with transaction.atomic():
        locked = Rater.objects.select_for_update().select_related("study").get(pk=rater.pk)
        _draw_active_trial(locked)
    return selectors.trial_at(rater=locked, position=locked.position)


def _draw_active_trial(rater: Rater) -> None:
    """Draw and store the trial at the rater's position (caller holds the rater's lock).

    The rater's row is the locked, fresh one: a racing request may have moved the
    position (or finished the plan) since the caller last read it.
    """
    if rater.finished_at is not None or rater.position >= selectors.plan_length(rater=rater):
        return
    if Trial.objects.filter(rater=rater, position=rater.position).exists():
        return
    study = Study.objects.select_for_update().get(pk=rater.study_id)
    found = selectors.layout(study=study)
    datasets = list(found.methods)
    # Arms in turn, so each rater spreads their trials evenly over the image sets.
    dataset = datasets[rater.position % len(datasets)]
    methods = found.methods[dataset]
    images = sorted(found.stimuli[dataset])
    method_index = {m: k for k, m in enumerate(methods)}
    image_index = {name: k for k, name in enumerate(images)}
    pair = active.pair_indices(len(methods))
    wins = np.zeros((len(methods), len(methods)))
    n_pairs = len(methods) * (len(methods) - 1) // 2
    used = np.zeros((n_pairs, len(images)), dtype=np.int64)
    seen = np.zeros_like(used)
    # stimulus id -> (image, method) of this arm's stimuli
    where = {
        sid: (image, method)
        for image, by_method in found.stimuli[dataset].items()
        for method, sid in by_method.items()
    }
    for rater_id, left_id, right_id, chose_left in selectors.answers_so_far(study=study):
        if left_id not in where or right_id not in where:
            continue  # another arm's trial
        (image, left), (_, right) = where[left_id], where[right_id]
        i, j = method_index[left], method_index[right]
        p, k = pair[i, j], image_index[image]
        used[p, k] += 1
        if rater_id == rater.pk:
            seen[p, k] += 1
        if chose_left is not None:
            winner, loser = (i, j) if chose_left else (j, i)
            wins[winner, loser] += 1
    rng = active.rng_for(study.seed, rater.number, rater.position)
    choice = active.choose_trial(
        methods=methods, images=images, wins=wins, used=used, seen=seen, rng=rng
    )
    a = found.stimuli[dataset][choice.image][choice.method_a]
    b = found.stimuli[dataset][choice.image][choice.method_b]
    left_id, right_id = (b, a) if rng.integers(0, 2) else (a, b)
    Trial.objects.create(rater=rater, position=rater.position, left_id=left_id, right_id=right_id)


def note_served(*, trial: Trial, now: datetime | None = None) -> None:
    """The trial is being shown to its rater: keep the first time it was (server timing)."""
    Trial.objects.filter(pk=trial.pk, served_at__isnull=True).update(
        served_at=now or timezone.now()
    )


@dataclass(frozen=True)
class ChoiceResult:
    stored: bool  # False for an idempotent repeat
    rater: Rater


def parse_side(raw: object) -> bool:
    """``left`` -> True, ``right`` -> False; anything else is refused."""
    if not isinstance(raw, str) or raw not in SIDES:
        raise SubmissionRejected(400, "invalid_side", f"side must be left or right, got {raw!r}")
    return SIDES[raw]


def submit_choice(
    *, token: str, item: str, side: str | None, response_ms: str | None = None
) -> ChoiceResult:
    """Store the rater's choice on their current trial. Raises ``SubmissionRejected``."""
    with transaction.atomic():
        locked, repeat, now = lock_for_answer(token=token, item=item, noun="trial")
        if repeat:
            return ChoiceResult(stored=False, rater=locked)
        trial = Trial.objects.filter(rater=locked, position=locked.position).first()
        if trial is None:
            raise SubmissionRejected(409, "not_current", "this is not the current trial")
        chose_left = parse_side(side)
        elapsed = parse_response_ms(response_ms)
        try:
            with transaction.atomic():
                Choice.objects.create(
                    trial=trial,
                    chose_left=chose_left,
                    response_ms=elapsed,
                    server_ms=server_elapsed_ms(trial.served_at, now),
                    submitted_at=now,
                )
        except IntegrityError:
            raise SubmissionRejected(409, "duplicate", "this trial is already answered") from None
        _advance(locked, total=selectors.plan_length(rater=locked), now=now)
        if locked.finished_at is None and selectors.design(locked.study) == "active":
            _draw_active_trial(locked)
    return ChoiceResult(stored=True, rater=locked)


def _advance(rater: Rater, *, total: int, now: datetime) -> None:
    rater.position += 1
    rater.last_seen_at = now
    fields = ["position", "last_seen_at"]
    if rater.position >= total:
        rater.finished_at = now
        rater.completion_code = new_completion_code()
        fields += ["finished_at", "completion_code"]
    else:
        limit = rater.study.items_per_sitting
        if limit and rater.position - rater.sitting_start >= limit:
            rater.break_until = now + timedelta(minutes=rater.study.break_minutes)
            rater.sitting_start = rater.position
            fields += ["break_until", "sitting_start"]
    rater.save(update_fields=fields)


# --- choices recorded whole: imported files, simulated panels ------------------------

# (rater, left stimulus id, right stimulus id, chose_left, response_ms, submitted_at)
RecordedChoice = tuple[Rater, int, int, bool, int | None, datetime]


def record_choices(*, study: Study, choices: Sequence[RecordedChoice]) -> int:
    """Store the trials and choices of raters who did not choose on this site, whole.

    Each rater's choices become trials 0..n-1 in the given order, answered, and the
    rater ends where one who answered their last trial ends (position, finished,
    completion code). Refuses (``ValueError``, nothing stored) raters of another study
    or raters that already have trials.
    """
    by_rater: dict[int, list[RecordedChoice]] = {}
    for row in choices:
        by_rater.setdefault(row[0].pk, []).append(row)
    with transaction.atomic():
        raters = {r.pk: r for r in Rater.objects.select_for_update().filter(pk__in=by_rater)}
        for pk in by_rater:
            rater = raters.get(pk)
            if rater is None or rater.study_id != study.pk:
                raise ValueError(f"rater id {pk} is not a rater of study {study.name!r}")
        if Trial.objects.filter(rater_id__in=by_rater).exists():
            raise ValueError("some of these raters already have trials; nothing recorded")
        trials = [
            Trial(rater_id=pk, position=position, left_id=row[1], right_id=row[2])
            for pk, rows in by_rater.items()
            for position, row in enumerate(rows)
        ]
        Trial.objects.bulk_create(trials, batch_size=5000)
        ids = {
            (r, p): i
            for i, r, p in Trial.objects.filter(rater_id__in=by_rater).values_list(
                "id", "rater_id", "position"
            )
        }
        Choice.objects.bulk_create(
            [
                Choice(
                    trial_id=ids[(pk, position)],
                    chose_left=row[3],
                    response_ms=row[4],
                    submitted_at=row[5],
                )
                for pk, rows in by_rater.items()
                for position, row in enumerate(rows)
            ],
            batch_size=5000,
        )
        for pk, rows in by_rater.items():
            Rater.objects.filter(pk=pk).update(
                position=len(rows),
                consented_at=rows[0][5],
                started_at=rows[0][5],
                finished_at=rows[-1][5],
                last_seen_at=rows[-1][5],
                completion_code=new_completion_code(),
            )
    return len(choices)


# (trial id, chose_left, response_ms, submitted_at) of a trial already in a rater's plan
Answer = tuple[int, bool, int | None, datetime]


def answer_trials(*, study: Study, answers: Sequence[Answer]) -> int:
    """Answer trials already handed out to raters who do not use the page (simulated panels).

    Unlike :func:`record_choices` the trials exist (a full design's plan, or an active
    design's trial drawn by :func:`current_trial`); each rater's answers must be for
    their next unanswered trials, in order. Each rater then stands where one who chose
    on the page would: position advanced, consent and start set (to the first answer's
    time) if missing, finished with a completion code after their plan's last trial.
    Refuses (``ValueError``, nothing stored) trials of another study, answered ones,
    and answers out of a rater's order.
    """
    ids = [answer[0] for answer in answers]
    with transaction.atomic():
        trials = {
            t.pk: t
            for t in Trial.objects.filter(pk__in=ids).select_related("rater", "rater__study")
        }
        by_rater: dict[int, list[Answer]] = {}
        for answer in answers:
            trial = trials.get(answer[0])
            if trial is None or trial.rater.study_id != study.pk:
                raise ValueError(f"trial id {answer[0]} is not a trial of study {study.name!r}")
            by_rater.setdefault(trial.rater_id, []).append(answer)
        raters = {r.pk: r for r in Rater.objects.select_for_update().filter(pk__in=by_rater)}
        for pk, given in by_rater.items():
            positions = [trials[answer[0]].position for answer in given]
            expected = list(range(raters[pk].position, raters[pk].position + len(given)))
            if positions != expected:
                raise ValueError(
                    f"rater {raters[pk].number}: answers for positions {positions}, but their "
                    f"next unanswered trials are {expected}"
                )
        Choice.objects.bulk_create(
            [
                Choice(trial_id=t, chose_left=c, response_ms=ms, submitted_at=at)
                for t, c, ms, at in answers
            ],
            batch_size=5000,
        )
        for pk, given in by_rater.items():
            _answered(raters[pk], count=len(given), first=given[0][3], last=given[-1][3])
    return len(answers)


def _answered(rater: Rater, *, count: int, first: datetime, last: datetime) -> None:
    """Advance a rater past ``count`` answered trials (times of the first and last answer)."""
    rater.position += count
    rater.consented_at = rater.consented_at or first
    rater.started_at = rater.started_at or first
    rater.last_seen_at = last
    fields = ["position", "consented_at", "started_at", "last_seen_at"]
    if rater.position >= selectors.plan_length(rater=rater):
        rater.finished_at = last
        rater.completion_code = new_completion_code()
        fields += ["finished_at", "completion_code"]
    rater.save(update_fields=fields)
