from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.catalog.models import Output
from study.protocol.models import Stimulus, Study
from tests.study.protocol.catalog_rows import preset_catalog

pytestmark = pytest.mark.django_db

HAVE = ["nearest", "bicubic", "srgan-vgg54", "hr"]


def test_it_lists_missing_outputs_by_dataset_method_and_image():
    preset_catalog(HAVE)
    # One BSD100 image lacks its SRGAN output: a partial method is never dropped.
    Output.objects.filter(
        image__dataset__name="BSD100", image__name="img_042", method__key="srgan-vgg54"
    ).delete()

    with pytest.raises(CommandError) as caught:
        call_command("create_study", "paper", "--preset", "srgan2017", stdout=StringIO())

    message = str(caught.value)
    assert "arms[0].methods[2]: no srcnn output for 5 of the 5 Set5 images " in message
    assert (
        "arms[2].methods[2]: no srcnn output for 100 of the 100 BSD100 images "
        "(img_001, img_002, img_003, img_004, img_005, ...)"
    ) in message
    assert "arms[2].methods[7]: no srgan-vgg54 output for 1 of the 100 BSD100 images (img_042)" in (
        message
    )
    # 8 missing methods on Set5 and Set14, 5 on BSD100, plus the partial one.
    assert message.count("\n  arms[") == 8 + 8 + 5 + 1
    assert not Study.objects.exists()


def test_it_drops_methods_without_any_output_when_allowed():
    preset_catalog(HAVE)
    err = StringIO()

    call_command(
        "create_study", "paper", "--preset", "srgan2017", "--allow-missing-methods",
        stdout=StringIO(), stderr=err,
    )  # fmt: skip

    assert (
        "dropped from the Set5 arm (no outputs at all): srcnn, selfexsr, drcn, espcn, "
        "srresnet-mse, srresnet-vgg22, srgan-mse, srgan-vgg22"
    ) in err.getvalue()
    study = Study.objects.get(name="paper")
    assert study.stimuli.filter(role="rating").count() == 4 * (5 + 14 + 100)
    assert study.config["resolved"]["dropped_methods"]["BSD100"] == [
        "srcnn", "selfexsr", "drcn", "espcn", "srresnet-mse"
    ]  # fmt: skip
    assert set(Stimulus.objects.values_list("output__method__key", flat=True)) == set(HAVE)
