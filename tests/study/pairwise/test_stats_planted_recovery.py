"""Planted JOD scores are recovered within the bootstrap CIs; an identical pair is
significant about as often as the test's level.

200 seeded studies of the full design: 26 raters, 5 images, 4 methods (6 pairs per
image, 780 choices a study), default Thurstone observers. Full 1,000 bootstrap draws
per study (about 10 s in all on one core).

Tolerances. The prior (``stats.PRIOR_SD``) shrinks the scale by about 0.1 % here
(130 choices per pair), i.e. 0.003 JOD on the largest score, against CIs about
0.5 JOD wide: it cannot move the coverage, and the mean error band of 0.05 JOD
(10 standard errors of the mean over 200 studies) leaves room for it. Coverage is
counted per (study, non-reference method): 600 intervals whose true coverage is near
95 % (26 rater clusters make the percentile bootstrap slightly short); 90 % is four
standard errors below that. The reference's interval is [0, 0] by construction and is
not counted. The exact binomial test is conservative at n = 130 (size about 4 %), so
the identical pair is expected significant in about 8 of 200 studies: the band 2..20
(1 % to 10 %) is 2.5 standard errors either side.
"""

from __future__ import annotations

import numpy as np

from study.pairwise import stats
from study.pairwise.simulate import simulate_full

PLANTED = {"bicubic": 0.0, "srresnet-mse": 1.2, "srgan-mse": 1.2, "srgan-vgg54": 2.5}
REPETITIONS = 200


def test_it_recovers_planted_scores_and_holds_the_level_on_an_identical_pair():
    covered, errors, significant = [], [], []
    for seed in range(REPETITIONS):
        choices = simulate_full(PLANTED, dataset="Set5", images=5, raters=26, seed=seed)
        assert len(choices) == 26 * 5 * 6
        scale = stats.scale_with_ci(choices, methods=list(PLANTED), seed=seed)
        truth = scale["method"].map(PLANTED).to_numpy()
        low, high = scale["ci95_low"].to_numpy(), scale["ci95_high"].to_numpy()
        covered += list(((low <= truth) & (truth <= high))[1:])
        errors.append(scale["jod"].to_numpy() - truth)
        tests = stats.pairwise_tests(choices, methods=list(PLANTED))
        twin = tests[(tests.method_a == "srresnet-mse") & (tests.method_b == "srgan-mse")]
        significant.append(bool(twin["p"].iloc[0] < 0.05))

    coverage = np.mean(covered)
    assert len(covered) == 3 * REPETITIONS
    assert coverage >= 0.90, coverage
    assert np.all(np.abs(np.mean(errors, axis=0)) < 0.05), np.mean(errors, axis=0)
    assert 2 <= sum(significant) <= 20, sum(significant)
