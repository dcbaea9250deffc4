"""Trial choice: images balanced and not repeated per rater, deterministic per seed."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from study.pairwise import active
from study.pairwise.simulate import observers

METHODS = ["bicubic", "srresnet-mse", "srgan-mse", "srgan-vgg54"]
PLANTED = dict(zip(METHODS, [0.0, 1.8, 2.4, 2.9], strict=True))
IMAGES = [f"img{k}" for k in range(5)]
RATERS = [f"r{k}" for k in range(6)]


def run(seed: int, rounds: int = 40) -> tuple[list[tuple], active.ActiveSampler]:
    sampler = active.ActiveSampler(METHODS, IMAGES, seed=seed)
    panel = observers(RATERS, PLANTED, seed=11)
    trials = []
    for _, rater in itertools.product(range(rounds), RATERS):
        trial = sampler.choose(rater)
        winner = panel[rater].choose(trial.method_a, trial.method_b)
        loser = trial.method_b if winner == trial.method_a else trial.method_a
        sampler.record(winner=winner, loser=loser)
        trials.append((rater, *trial))
    return trials, sampler


def test_it_is_deterministic_for_a_seed_and_state():
    first, sampler = run(seed=4)
    again, _ = run(seed=4)
    other, _ = run(seed=5)
    assert first == again
    assert first != other
    # The stateless form gives the trial the sampler would give, from the same state.
    rater = "r0"
    seen = sampler.seen[rater]
    rng = active.rng_for(4, rater, int(seen.sum()))
    stateless = active.choose_trial(
        methods=METHODS, images=IMAGES, wins=sampler.wins, used=sampler.used, seen=seen, rng=rng
    )
    assert sampler.choose(rater) == stateless


def test_it_never_repeats_an_image_of_a_pair_for_a_rater_while_another_is_unseen():
    trials, sampler = run(seed=2)
    per = {}
    for rater, image, a, b in trials:
        per.setdefault((rater, a, b), []).append(image)
    for images in per.values():
        for k in range(0, len(images), len(IMAGES)):
            block = images[k : k + len(IMAGES)]
            assert len(set(block)) == len(block)  # each pass over the images: no repeat
    # Across raters each pair's images stay balanced.
    assert np.all(sampler.used.max(axis=1) - sampler.used.min(axis=1) <= 2)
    assert sampler.used.sum() == len(trials) == sampler.wins.sum()


def test_it_spends_most_comparisons_on_the_close_pairs():
    trials, _ = run(seed=3, rounds=60)
    counts = {}
    for _, _, a, b in trials:
        counts[(a, b)] = counts.get((a, b), 0) + 1
    close = counts.get(("srgan-mse", "srgan-vgg54"), 0)
    far = counts.get(("bicubic", "srgan-vgg54"), 0)
    assert close > 5 * max(far, 1)


def test_choose_image_prefers_unseen_then_least_used():
    rng = np.random.default_rng(0)
    assert active.choose_image([5, 0, 3], [1, 1, 0], rng) == 2
    assert active.choose_image([5, 0, 3], [0, 0, 0], rng) == 1
    assert {
        active.choose_image([1, 1, 2], [0, 0, 0], np.random.default_rng(s)) for s in range(20)
    } == {0, 1}
    with pytest.raises(ValueError, match="one count per image"):
        active.choose_image([1, 2], [0], rng)
