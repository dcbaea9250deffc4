"""Weights that do not fit the method are refused with a message naming the file."""

from __future__ import annotations

import pytest
import torch

from srmodels.archs import SRCNN, SRResNet
from srmodels.engine import Upscaler
from srmodels.registry import MissingWeightsError
from srmodels.weights import WeightsError, save_weights
from tests.srmodels.engine_helpers import small_weights


def test_it_refuses_weights_of_another_architecture(tmp_path):
    path, _ = save_weights(tmp_path / "w", SRCNN(n1=4, n2=2), meta={"method": "srresnet-mse"})
    with pytest.raises(WeightsError, match=r"w\.safetensors holds a 'srcnn' network.*'srresnet'"):
        Upscaler("srresnet-mse", weights=path)


def test_it_refuses_weights_of_another_method(tmp_path):
    path = small_weights(tmp_path, "srgan-mse")
    with pytest.raises(WeightsError, match="holds method 'srgan-mse', not 'srresnet-mse'"):
        Upscaler("srresnet-mse", weights=path)


def test_it_refuses_weights_trained_for_another_scale(tmp_path):
    path = small_weights(tmp_path, "srresnet-mse", scale=2)
    with pytest.raises(WeightsError, match="trained for x2, but x4 was asked"):
        Upscaler("srresnet-mse", weights=path, scale=4)
    assert Upscaler("srresnet-mse", weights=path, scale=2).scale == 2


def test_it_refuses_tensors_that_do_not_fit_the_recorded_arguments(tmp_path):
    model = SRResNet(num_features=8, num_blocks=2)
    meta = {"method": "srresnet-mse", "arch": "srresnet", "arch_args": {"num_features": 8}}
    path, _ = save_weights(tmp_path / "w", model.state_dict(), meta=meta)
    with pytest.raises(WeightsError, match=r"does not fit srresnet\("):
        Upscaler("srresnet-mse", weights=path)


def test_it_refuses_rgb_weights_for_a_y_channel_method(tmp_path):
    path, _ = save_weights(tmp_path / "w", SRCNN(n1=4, n2=2, channels=3), meta={"method": "srcnn"})
    with pytest.raises(WeightsError, match="3 input channel"):
        Upscaler("srcnn", weights=path)


def test_it_names_a_missing_explicit_file(tmp_path):
    with pytest.raises(MissingWeightsError, match=r"absent\.safetensors"):
        Upscaler("srcnn", weights=tmp_path / "absent.safetensors")


def test_it_records_the_checksum_and_metadata_of_the_weights(tmp_path):
    import hashlib

    path = small_weights(tmp_path, "srcnn")
    upscaler = Upscaler("srcnn", weights=path, device="cpu")
    assert upscaler.weights_checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert upscaler.weights_meta["arch"] == "srcnn"
    assert upscaler.device == "cpu"
    assert not upscaler.model.training
    assert not any(p.requires_grad for p in upscaler.model.parameters())


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only message")
def test_it_says_cuda_is_absent_when_asked_for_it(tmp_path):
    path = small_weights(tmp_path, "srcnn")
    with pytest.raises(ValueError, match="CUDA is not available"):
        Upscaler("srcnn", weights=path, device="cuda")
