from __future__ import annotations

import hashlib
import json

import pytest
import torch

from srmodels.archs import SRResNet
from srmodels.weights import WeightsError, load_weights, read_meta, save_weights, sha256_file


@pytest.fixture
def model() -> SRResNet:
    torch.manual_seed(0)
    return SRResNet(num_features=8, num_blocks=2, scale=2)


def test_it_round_trips_a_model_through_fp16_safetensors_and_json(model, tmp_path):
    meta = {"method": "srresnet-mse", "recipe": {"lr": 1e-4}, "metrics": {"set5_psnr": 30.1}}
    tensors, sidecar = save_weights(tmp_path / "srresnet-mse", model, meta=meta)
    assert (tensors.name, sidecar.name) == ("srresnet-mse.safetensors", "srresnet-mse.json")
    state, loaded = load_weights(tensors)
    assert loaded["arch"] == "srresnet"
    assert loaded["arch_args"]["scale"] == 2
    assert loaded["scale"] == 2
    assert loaded["format_version"] == 1
    assert loaded["metrics"] == {"set5_psnr": 30.1}
    assert json.loads(sidecar.read_text()) == loaded
    original = model.state_dict()
    assert state.keys() == original.keys()
    for key, value in original.items():
        if value.is_floating_point():
            assert state[key].dtype == torch.float32
            torch.testing.assert_close(state[key], value.half().float(), rtol=0, atol=0)
        else:
            assert torch.equal(state[key], value)  # BN's num_batches_tracked stays integer


def test_it_keeps_float32_when_asked(model, tmp_path):
    save_weights(tmp_path / "w", model, meta={"method": "srresnet-mse"}, dtype=None)
    state, _ = load_weights(tmp_path / "w")
    torch.testing.assert_close(state["head.weight"], model.head.weight, rtol=0, atol=0)


def test_it_stores_fp16_at_half_the_size(model, tmp_path):
    half, _ = save_weights(tmp_path / "half", model, meta={"method": "x"})
    full, _ = save_weights(tmp_path / "full", model, meta={"method": "x"}, dtype=torch.float32)
    assert half.stat().st_size < 0.55 * full.stat().st_size


def test_it_reads_the_metadata_from_the_header_without_the_sidecar(model, tmp_path):
    tensors, sidecar = save_weights(tmp_path / "w", model, meta={"method": "srresnet-mse"})
    sidecar.unlink()
    assert read_meta(tensors)["arch_args"]["num_blocks"] == 2


def test_it_requires_method_arch_and_arch_args_for_a_plain_state_dict(model, tmp_path):
    with pytest.raises(WeightsError, match="lacks arch, arch_args"):
        save_weights(tmp_path / "w", model.state_dict(), meta={"method": "srresnet-mse"})
    assert list(tmp_path.iterdir()) == []


def test_it_names_a_missing_or_corrupt_file(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        load_weights(tmp_path / "absent.safetensors")
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not safetensors at all")
    with pytest.raises(WeightsError, match=r"broken\.safetensors"):
        load_weights(broken)


def test_it_hashes_files_with_sha256(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"x" * 3_000_000)
    assert sha256_file(path) == hashlib.sha256(b"x" * 3_000_000).hexdigest()
