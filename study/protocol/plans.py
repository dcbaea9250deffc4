"""Each rater's plan: a pure function of (stimuli, study seed, rater number).

A plan is the calibration items, in the study's calibration order (for every
calibration image its low anchor, then its high anchor), followed by the rating
phase: every rating stimulus once plus a second presentation of each retest
stimulus, in an order drawn independently for each rater from
``numpy.random.default_rng(SeedSequence([seed, rater]))``. Two rules hold in the
rating phase:

- no two consecutive items show the same source image (whatever the method), so
  a rater never compares two versions side by side in time;
- the two presentations of a retest stimulus are at least ``retest_gap(n)`` =
  ``n // 3`` items apart (n = the rating phase's length), so the second rating is
  not a memory of the first. The earlier one is ``repeat = 0``.

The order is a uniform random permutation repaired by random swaps that break
neither rule; when the repair cannot finish (designs close to infeasible) a new
permutation is drawn from the same generator, so the result stays a pure
function of the inputs. Rating stimuli are sorted by their ``order`` key before
shuffling, so rebuilding a study (new database ids) gives the same plans.

Quality items (``[quality]``: gold and attention stimuli, roles ``QUALITY_ROLES``)
are rating-phase items too, rated on the same page, but they are placed after the
order above is drawn: each goes into its own gap between rating items (or before
the first, or after the last), the gaps and the order of the quality items drawn
from a generator of their own (``SeedSequence([seed, rater, 1])``). So the rating
items keep exactly the order they have without quality items, no two quality items
are adjacent (and they show photographs no arm rates), and inserting items only
lengthens the distance between the two presentations of a retest stimulus (``n``
above counts rating items only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

CALIBRATION = "calibration"
RATING = "rating"
# Hidden known-answer items of [quality]: placed among the rating items (phase "rating").
QUALITY_ROLES = ("gold", "attention")
QUALITY_STREAM = 1
MAX_RESTARTS = 200
SWAP_TRIES = 400


class PlanError(ValueError):
    """The design admits no plan under the rules (e.g. one image fills half the items)."""


@dataclass(frozen=True, slots=True)
class PlanStimulus:
    id: int
    # The source image: consecutive rating items never share it.
    image: Hashable
    # Canonical position: (dataset, image, method) for rating stimuli; for calibration
    # stimuli, (calibration index, 0 for low / 1 for high): their order in the plan.
    order: tuple
    role: str = RATING
    retest: bool = False


class PlanEntry(NamedTuple):
    stimulus: int
    phase: str
    repeat: int


def rater_rng(seed: int, rater: int) -> np.random.Generator:
    """The random generator of one rater's plan: independent across raters, reproducible."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(rater)]))


def retest_gap(length: int) -> int:
    """Minimum distance between the two presentations of a retest stimulus."""
    return max(1, length // 3)


class PlanBuilder:
    """Precomputes what all raters share, then builds one plan per ``build`` call."""

    def __init__(self, stimuli: Sequence[PlanStimulus]) -> None:
        calibration = sorted((s for s in stimuli if s.role == CALIBRATION), key=lambda s: s.order)
        rating = sorted((s for s in stimuli if s.role == RATING), key=lambda s: s.order)
        checks = sorted((s for s in stimuli if s.role in QUALITY_ROLES), key=lambda s: s.order)
        unknown = {s.role for s in stimuli} - {CALIBRATION, RATING, *QUALITY_ROLES}
        if unknown:
            raise PlanError(f"unknown stimulus role(s): {', '.join(sorted(unknown))}")
        self.calibration = [(s.id, CALIBRATION, 0) for s in calibration]
        self.checks = [s.id for s in checks]
        shared = {s.image for s in checks} & {s.image for s in rating}
        if shared:
            raise PlanError("a quality item shows a photograph that is also rated")
        # Items of the rating phase: every rating stimulus, then the retest repeats.
        self.stimulus_ids = [s.id for s in rating]
        images: dict[Hashable, int] = {}
        self.image = [images.setdefault(s.image, len(images)) for s in rating]
        self.partner = [-1] * len(rating)
        for index, stimulus in enumerate(rating):
            if stimulus.retest:
                repeat = len(self.stimulus_ids)
                self.stimulus_ids.append(stimulus.id)
                self.image.append(self.image[index])
                self.partner[index] = repeat
                self.partner.append(index)
        self.length = len(self.stimulus_ids)
        self.image_array = np.asarray(self.image, dtype=np.int64)
        self.gap = retest_gap(self.length)
        self.pairs = [(i, p) for i, p in enumerate(self.partner) if 0 <= i < p]
        problem = feasibility_problem(self.image, self.length)
        if problem:
            raise PlanError(problem)
        if len(self.checks) > self.length + 1:
            raise PlanError(
                f"{len(self.checks)} quality items need at least {len(self.checks) - 1} rating "
                f"items to keep them apart; the plan has {self.length}"
            )

    def build(self, *, seed: int, rater: int) -> list[PlanEntry]:
        """The plan of rater number ``rater`` under ``seed``: calibration, then rating."""
        return [PlanEntry(*row) for row in self.rows(seed=seed, rater=rater)]

    def rows(self, *, seed: int, rater: int) -> list[tuple[int, str, int]]:
        """``build`` as plain ``(stimulus, phase, repeat)`` tuples: the fast path for inserts."""
        rng = rater_rng(seed, rater)
        n = self.length
        for _ in range(MAX_RESTARTS):
            seq = rng.permutation(n) if n else np.zeros(0, dtype=np.int64)
            order = self._repair(seq, rng)
            if order is not None:
                break
        else:
            raise PlanError(
                f"no order of the {n} rating items met the rules after {MAX_RESTARTS} draws"
            )
        rows = list(self.calibration)
        ids, partner = self.stimulus_ids, self.partner
        if not self.pairs:
            rows.extend([(ids[item], RATING, 0) for item in order])
            return self._with_checks(rows, seed=seed, rater=rater)
        seen: set[int] = set()
        for item in order:
            other = partner[item]
            if other < 0:
                rows.append((ids[item], RATING, 0))
            else:
                # The earlier presentation is the first (repeat 0), whichever copy it is.
                rows.append((ids[item], RATING, 1 if other in seen else 0))
                seen.add(item)
        return self._with_checks(rows, seed=seed, rater=rater)

    def _with_checks(
        self, rows: list[tuple[int, str, int]], *, seed: int, rater: int
    ) -> list[tuple[int, str, int]]:
        """``rows`` with the quality items inserted, each into a gap of its own."""
        if not self.checks:
            return rows
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(rater), QUALITY_STREAM]))
        checks = [self.checks[i] for i in rng.permutation(len(self.checks))]
        gaps = sorted(rng.choice(self.length + 1, size=len(checks), replace=False).tolist())
        start = len(self.calibration)
        out = rows[:start]
        previous = 0
        for gap, stimulus in zip(gaps, checks, strict=True):
            out.extend(rows[start + previous : start + gap])
            out.append((stimulus, RATING, 0))
            previous = gap
        out.extend(rows[start + previous :])
        return out

    def _repair(self, permutation: np.ndarray, rng: np.random.Generator) -> list[int] | None:
        """Swap items of a random permutation until both rules hold; None when stuck."""
        n = len(permutation)
        image, partner, gap = self.image, self.partner, self.gap
        images = self.image_array[permutation]
        clashes = (np.flatnonzero(images[1:] == images[:-1]) + 1).tolist()
        seq = permutation.tolist()
        if not clashes and not self.pairs:
            return seq
        pos = [0] * n
        for p, item in enumerate(seq):
            pos[item] = p
        draws: list[int] = []

        def candidate() -> int:
            if not draws:
                draws.extend(rng.integers(0, n, size=64).tolist())
            return draws.pop()

        def clash(p: int) -> bool:
            return 0 < p < n and image[seq[p]] == image[seq[p - 1]]

        def gap_ok(item: int) -> bool:
            other = partner[item]
            return other < 0 or abs(pos[item] - pos[other]) >= gap

        def try_swap(a: int, b: int, *, adjacency: bool) -> bool:
            if a == b:
                return False
            seq[a], seq[b] = seq[b], seq[a]
            pos[seq[a]], pos[seq[b]] = a, b
            ok = gap_ok(seq[a]) and gap_ok(seq[b])
            if ok and adjacency:
                ok = not (clash(a) or clash(a + 1) or clash(b) or clash(b + 1))
            if not ok:
                seq[a], seq[b] = seq[b], seq[a]
                pos[seq[a]], pos[seq[b]] = a, b
            return ok

        # 1. Retest pairs far apart: move the second copy to an allowed place. These
        # swaps may create clashes, so step 2 looks for clashes afresh.
        moved = False
        for first, second in self.pairs:
            tries = 0
            while abs(pos[first] - pos[second]) < gap:
                tries += 1
                if tries > SWAP_TRIES:
                    return None
                moved = try_swap(pos[second], candidate(), adjacency=False) or moved
        if moved:
            clashes = [p for p in range(1, n) if clash(p)]
        # 2. No image twice in a row: move one of the two, keeping the retest gaps. A
        # swap is accepted only if it creates no clash, so one pass over the clashes
        # found is enough.
        for p in clashes:
            if not clash(p):
                continue
            # Prefer moving a non-retest item: it carries no gap constraint.
            mover = p if partner[seq[p]] < 0 or partner[seq[p - 1]] >= 0 else p - 1
            for _ in range(SWAP_TRIES):
                if try_swap(mover, candidate(), adjacency=True):
                    break
            else:
                return None
        return seq


def feasibility_problem(images: Sequence[Hashable], length: int | None = None) -> str | None:
    """Why no order can avoid consecutive items of one image, or None when one can."""
    if not images:
        return None
    length = len(images) if length is None else length
    _image, count = Counter(images).most_common(1)[0]
    if count > (length + 1) // 2:
        return (
            f"one source image has {count} of the {length} rating items; no order can avoid "
            "showing it twice in a row (add images or remove methods)"
        )
    return None


def build_plan(stimuli: Sequence[PlanStimulus], *, seed: int, rater: int) -> list[PlanEntry]:
    """The plan of rater number ``rater`` (1-based) for ``stimuli`` under ``seed``."""
    return PlanBuilder(stimuli).build(seed=seed, rater=rater)
