"""Each generated output's item records the precision srmodels chose, why, and the processor."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.hardware import cpu_model, native_bf16
from study.generation.models import GenerationItem
from tests.study.generation.helpers import make_dataset, tiny_srresnet

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_records_the_automatic_precision_and_the_cpu(tmp_path, media_root) -> None:
    make_dataset(tmp_path, count=2)
    weights = tiny_srresnet(tmp_path)
    call_command(
        "generate_outputs", "Tiny", "srresnet-mse", "--weights", str(weights),
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    expected = "bf16" if native_bf16() else "fp32"
    precisions = set(GenerationItem.objects.values_list("precision", flat=True))
    assert len(precisions) == 1
    (recorded,) = precisions
    assert recorded.startswith(f"{expected} (auto: {expected}")
    assert cpu_model() in recorded
