"""Which trials a rater of a full design sees, in which order and on which sides (pure).

The full design's trials are every unordered comparison of the arms: each pair of an
arm's methods on each of its images, or, where the kind has a reference (2afc-real),
each method against the reference image of the same photograph. They are listed in
the arms' order (``comparisons``), permuted once from the study seed, and dealt to the
raters in turn: rater ``n`` takes the ``k`` trials after rater ``n - 1``'s (wrapping
round), so every comparison is shown as often as any other, to within one, whatever
the number of raters. Each rater's trials are then shuffled and their sides drawn from
the rater's own stream, so a rater's plan is a function of (seed, rater number) only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import numpy as np

# Random stream of the study-level permutation (rater streams are [seed, rater >= 1]).
DEAL_STREAM = (0, 3)


class PlanError(ValueError):
    pass


def comparisons(
    stimuli: Mapping[str, Mapping[str, Mapping[str, int]]],
    methods: Mapping[str, Sequence[str]],
    references: Mapping[str, Mapping[str, int]] | None = None,
) -> list[tuple[int, int]]:
    """Every comparison of the full design as (stimulus, stimulus), first in arm order.

    ``stimuli[dataset][image][method]`` is a stimulus id, ``methods[dataset]`` the arm's
    method order, ``references[dataset][image]`` the reference stimulus where the kind
    has one. Images are taken in sorted name order.
    """
    pairs: list[tuple[int, int]] = []
    for dataset, order in methods.items():
        for image in sorted(stimuli[dataset]):
            by_method = stimuli[dataset][image]
            if references:
                reference = references[dataset][image]
                pairs.extend((by_method[method], reference) for method in order)
            else:
                pairs.extend((by_method[a], by_method[b]) for a, b in combinations(order, 2))
    return pairs


def rater_trials(
    universe: Sequence[tuple[int, int]], *, seed: int, rater: int, per_rater: int | None
) -> list[tuple[int, int]]:
    """The (left, right) stimuli of rater number ``rater`` (1-based), in order."""
    size = len(universe)
    count = size if per_rater is None else per_rater
    if count > size:
        raise PlanError(
            f"pairwise.comparisons_per_rater: {count} asked, but the full design has only "
            f"{size} different trials"
        )
    if rater < 1:
        raise PlanError(f"rater numbers start at 1, got {rater}")
    deal = np.random.default_rng(np.random.SeedSequence([int(seed), *DEAL_STREAM]))
    order = deal.permutation(size)
    start = (rater - 1) * count
    picks = [int(order[(start + t) % size]) for t in range(count)]
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(rater)]))
    rng.shuffle(picks)
    swap = rng.integers(0, 2, size=count)
    trials = []
    for pick, flipped in zip(picks, swap, strict=True):
        a, b = universe[pick]
        trials.append((b, a) if flipped else (a, b))
    return trials
