"""Simulated raters of a two-image study (``simulate_raters``): Thurstone observers, seeded.

Each simulated rater is a :class:`study.pairwise.simulate.Observer` per arm: it takes
the left image over the right with probability ``Phi((q_left - q_right) / sigma)``,
``q`` the planted scores in JOD (``sigma`` such that 1 JOD is 75 % of the choices).
For 2afc-real the same observer picks the image it takes for the real photograph:
the reference (``hr``) has a score too, and a method's fool rate is ``Phi((q_m -
q_hr) / sigma)``.

Planted scores: ``--quality METHOD=JOD`` on every arm; by default each arm's methods
at 0, 1, 2, ... JOD in the order the arm lists them (studies list them from worst to
best), and the reference 1 JOD above the arm's last method.

Designs. The raters are added by ``protocol.services.add_raters`` like invited ones,
so a full design writes their plans (its trials) as for anyone; the observers answer
those trials in order. An active design draws each rater's trial when they reach it
with the sampler the live page uses (:func:`study.pairwise.services.current_trial`),
raters taking turns one trial at a time, each answer stored before the next draw.
Answers are stored by :func:`study.pairwise.services.answer_trials`; the run is kept
in a ``RaterBatch`` (seed, planted scores, design). Observers are named by rater number
and arm, so a rater's answers depend on (seed, number, arm, trials) only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

from django.db import transaction
from django.utils import timezone

from study.analysis.kinds import KindError, Options
from study.analysis.services import SimulationError, parse_qualities
from study.pairwise import selectors, services
from study.pairwise.models import Trial
from study.pairwise.simulate import Observer, observers
from study.protocol import services as protocol_services
from study.protocol.config import REFERENCE_METHODS
from study.protocol.models import SIMULATED_SOURCE, Rater, RaterBatch, Study

MODEL = (
    "Thurstone Case V observers (study.pairwise.simulate.Observer): the left image is chosen "
    "with probability Phi((q_left - q_right) / sigma), sigma = 1 / Phi^-1(0.75), q in JOD"
)
Panel = dict[tuple[int, str], Observer]  # (rater number, dataset) -> observer


def planted_scores(study: Study, given: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """dataset -> method (and reference) -> planted JOD: ``given``, else the arm's order."""
    found = selectors.layout(study=study)
    reference = REFERENCE_METHODS.get(selectors.kind(study))
    known = {m for order in found.methods.values() for m in order} | (
        {reference} if reference else set()
    )
    unknown = sorted(set(given) - known)
    if unknown:
        raise KindError(
            f"--quality: study {study.name!r} has no method {', '.join(map(repr, unknown))} "
            f"(its methods: {', '.join(sorted(known))})"
        )
    bad = [f"{m}={v}" for m, v in given.items() if not math.isfinite(v)]
    if bad:
        raise KindError(f"--quality {bad[0]}: a score in JOD is a finite number")
    planted: dict[str, dict[str, float]] = {}
    for dataset, order in found.methods.items():
        scores = {m: float(given.get(m, k)) for k, m in enumerate(order)}
        if reference:
            scores[reference] = float(given.get(reference, len(order)))
        planted[dataset] = scores
    return planted


def _panel(raters: list[Rater], planted: dict[str, dict[str, float]], seed: int) -> Panel:
    panel: Panel = {}
    for dataset, scores in planted.items():
        names = {f"{rater.number}/{dataset}": rater.number for rater in raters}
        for name, observer in observers(list(names), scores, seed=seed).items():
            panel[(names[name], dataset)] = observer
    return panel


def _answer(observer: Observer, trial: Trial) -> bool:
    """Whether ``observer`` chooses the left image of ``trial``."""
    left, right = trial.left.output.method.key, trial.right.output.method.key
    return observer.choose(left, right) == left


def _dataset(trial: Trial) -> str:
    return trial.left.output.image.dataset.name


def _answer_full_design(study: Study, raters: list[Rater], panel: Panel) -> int:
    """Answer every written trial of the new raters, each rater's in plan order."""
    now = timezone.now()
    numbers = {rater.pk: rater.number for rater in raters}
    trials = (
        Trial.objects.filter(rater_id__in=numbers)
        .order_by("rater__number", "position")
        .select_related(
            "left__output__method", "left__output__image__dataset", "right__output__method"
        )
    )
    answers = [
        (trial.pk, _answer(panel[(numbers[trial.rater_id], _dataset(trial))], trial), None, now)
        for trial in trials
    ]
    return services.answer_trials(study=study, answers=answers)


def _answer_active_design(study: Study, raters: list[Rater], panel: Panel) -> int:
    """Raters take turns: each draws their next trial from every answer so far, answers it."""
    total = 0
    active = list(raters)
    while active:
        waiting = []
        for rater in active:
            rater.refresh_from_db()
            trial = services.current_trial(rater=rater)
            if trial is None:
                continue
            trial = Trial.objects.select_related(
                "left__output__method", "left__output__image__dataset", "right__output__method"
            ).get(pk=trial.pk)
            chose_left = _answer(panel[(rater.number, _dataset(trial))], trial)
            total += services.answer_trials(
                study=study, answers=[(trial.pk, chose_left, None, timezone.now())]
            )
            waiting.append(rater)
        active = waiting
    return total


ANSWER = {"full": _answer_full_design, "active": _answer_active_design}


def simulate_choices(study: Study, options: Options) -> str:
    """The registry's ``simulate_raters`` for two-image studies; returns the summary."""
    for flag in ("bias_sd", "noise_sd"):
        if options.get(flag) is not None:
            raise KindError(
                f"--{flag.replace('_', '-')} is for ACR studies; {study.name!r} is a "
                f"{selectors.kind(study)} study (its observers are set by --quality in JOD)"
            )
    count, seed = int(cast(int, options["count"])), int(cast(int, options["seed"]))
    if not 1 <= count <= 100_000:
        raise KindError(f"--count: 1 to 100000, got {count}")
    if seed < 0:
        raise KindError(f"--seed: a whole number >= 0, got {seed}")
    try:
        given = parse_qualities(cast("list[str]", options.get("quality") or []))
    except SimulationError as exc:
        raise KindError(str(exc)) from None
    planted = planted_scores(study, given)
    design = selectors.design(study)
    with transaction.atomic():
        try:
            # Unopened places first, then new raters, as for ACR studies.
            raters = protocol_services.fill_places(
                study=study, count=count, source=SIMULATED_SOURCE
            )
        except protocol_services.ProtocolError as exc:
            raise KindError(str(exc)) from None
        choices = ANSWER[design](study, raters, _panel(raters, planted, seed))
        numbers = [rater.number for rater in raters]
        protocol_services.record_rater_batch(
            study=study,
            kind=RaterBatch.Kind.SIMULATED,
            numbers=numbers,
            parameters={
                "count": count,
                "seed": seed,
                "design": design,
                "quality": planted,
                "model": MODEL,
            },
        )
    return (
        f"{count} simulated raters ({protocol_services.number_ranges(numbers)}) added to "
        f"{study.name!r} "
        f"with {choices} choices"
    )
