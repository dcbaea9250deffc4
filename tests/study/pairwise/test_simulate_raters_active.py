"""``simulate_raters`` on an active design: each trial drawn by the live sampler, then answered."""

from __future__ import annotations

import pytest

from study.pairwise import services
from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater
from study.rating import services as rater_services
from tests.study.pairwise.exporting import run
from tests.study.pairwise.factories import make_catalog, make_two_image_study

pytestmark = pytest.mark.django_db


def test_it_draws_and_answers_each_rater_s_trials_in_turn():
    make_catalog(images=2)
    study = make_two_image_study(raters=1, design="active", per_rater=4)
    # Rater 1 opened the link: not a place to fill.
    rater_services.give_consent(rater=study.raters.get(number=1))
    message = run("simulate_raters", study.name, "--count", "3", "--seed", "4")
    assert message == "3 simulated raters (2-4) added to 'pairs-study' with 12 choices\n"
    for rater in Rater.objects.filter(study=study, simulated=True):
        assert rater.finished_at is not None
        assert rater.position == 4
        assert list(
            Trial.objects.filter(rater=rater)
            .order_by("position")
            .values_list("position", flat=True)
        ) == [0, 1, 2, 3]
        assert Choice.objects.filter(trial__rater=rater).count() == 4
        # Finished: the sampler draws nothing more for them.
        assert services.current_trial(rater=rater) is None
    # The invited rater still gets a trial drawn from the simulated answers.
    assert services.current_trial(rater=Rater.objects.get(study=study, number=1)) is not None


def test_it_refuses_answers_out_of_a_rater_s_order():
    make_catalog(images=1)
    study = make_two_image_study(raters=1)
    rater = study.raters.get()
    second = Trial.objects.get(rater=rater, position=1)
    with pytest.raises(ValueError, match=r"answers for positions \[1\], but their next"):
        services.answer_trials(study=study, answers=[(second.pk, True, None, second.created_at)])
    assert not Choice.objects.exists()
