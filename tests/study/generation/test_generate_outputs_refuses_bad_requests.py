from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from srmodels.archs import SRResNet
from srmodels.registry import list_methods
from srmodels.weights import save_weights
from study.generation.models import GenerationJob
from tests.study.generation.helpers import make_dataset, tiny_srresnet

pytestmark = pytest.mark.django_db


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command("generate_outputs", *args, stdout=StringIO(), stderr=StringIO())
    assert not GenerationJob.objects.exists()
    return str(error.value)


def test_it_fails_before_recording_a_job_when_weights_are_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("SRMODELS_WEIGHTS_DIR", raising=False)
    make_dataset(tmp_path, count=1)
    missing = tmp_path / "nowhere.safetensors"

    message = refused("Tiny", "srresnet-mse", "--weights", str(missing))
    assert message == f"weights file {missing} for method 'srresnet-mse' (SRResNet) does not exist"
    # A model method with no weights anywhere (some ship with the package).
    absent = [m.spec for m in list_methods() if not m.available]
    if absent:
        key, label = absent[0].key, absent[0].label
        message = refused("Tiny", key)
        assert message.startswith(f"no weights for method {key!r} ({label}): looked for ")
        assert f"python -m srmodels train --recipe {key}" in message


def test_it_names_the_bad_dataset_method_weights_or_batch_size(tmp_path):
    make_dataset(tmp_path, count=1)
    weights = tiny_srresnet(tmp_path)
    other, _ = save_weights(
        tmp_path / "gan", SRResNet(num_features=8, num_blocks=1), meta={"method": "srgan-vgg54"}
    )
    x2, _ = save_weights(
        tmp_path / "x2", SRResNet(num_features=8, num_blocks=1, scale=2),
        meta={"method": "srresnet-mse"},
    )  # fmt: skip

    assert refused("Nope", "bicubic").startswith("unknown dataset 'Nope' (known: Tiny)")
    assert refused("Tiny", "hr").startswith("unknown method 'hr'; known methods: nearest, ")
    assert "imported with import_outputs" in refused("Tiny", "selfexsr")
    assert refused("Tiny", "bicubic", "--weights", str(weights)) == (
        "method 'bicubic' is an interpolation and takes no weights file"
    )
    assert refused("Tiny", "srresnet-mse", "--weights", str(other)) == (
        f"weights file {other.resolve()} holds method 'srgan-vgg54', not 'srresnet-mse': "
        "its outputs would be mislabelled"
    )
    assert refused("Tiny", "srresnet-mse", "--weights", str(x2)) == (
        f"weights file {x2.resolve()} was trained for x2; the dataset is x4"
    )
    assert "--batch-size '0': must be a positive integer" in refused(
        "Tiny", "bicubic", "--batch-size", "0"
    )
