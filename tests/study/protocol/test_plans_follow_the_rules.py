from __future__ import annotations

import itertools

import pytest

from study.protocol.plans import PlanError, PlanStimulus, build_plan, retest_gap


def design(images: int, methods: int, retest_images: int = 0) -> list[PlanStimulus]:
    return [
        PlanStimulus(
            id=image * methods + method,
            image=image,
            order=(image, method),
            retest=method == 0 and image < retest_images,
        )
        for image in range(images)
        for method in range(methods)
    ]


def check(stimuli: list[PlanStimulus], plan) -> None:
    image_of = {s.id: s.image for s in stimuli}
    images = [image_of[e.stimulus] for e in plan]
    assert all(a != b for a, b in itertools.pairwise(images))
    positions: dict[int, list[int]] = {}
    for index, entry in enumerate(plan):
        positions.setdefault(entry.stimulus, []).append(index)
        assert entry.repeat == len(positions[entry.stimulus]) - 1
    gap = retest_gap(len(plan))
    for stimulus in stimuli:
        shown = positions[stimulus.id]
        assert len(shown) == (2 if stimulus.retest else 1)
        if stimulus.retest:
            assert shown[1] - shown[0] >= gap


@pytest.mark.parametrize(
    ("images", "methods", "retest_images"),
    [(119, 12, 10), (5, 12, 2), (2, 3, 0), (3, 2, 1), (10, 1, 3), (40, 9, 40)],
)
def test_it_never_repeats_an_image_and_spaces_the_retest_copies(images, methods, retest_images):
    stimuli = design(images, methods, retest_images)
    for rater in range(1, 21):
        check(stimuli, build_plan(stimuli, seed=2017, rater=rater))


def test_it_spreads_positions_evenly_across_raters():
    # Without bias, a stimulus is as likely to come first as last.
    stimuli = design(20, 5)
    first_half = sum(
        plan.index(next(e for e in plan if e.stimulus == 0)) < 50
        for plan in (build_plan(stimuli, seed=1, rater=r) for r in range(1, 401))
    )
    assert 160 < first_half < 240


def test_it_refuses_a_design_where_one_image_fills_most_items():
    with pytest.raises(PlanError, match="one source image has 4 of the 5 rating items"):  # noqa: PT012
        stimuli = [*design(1, 4), PlanStimulus(99, "other", (9,))]
        build_plan(stimuli, seed=1, rater=1)
