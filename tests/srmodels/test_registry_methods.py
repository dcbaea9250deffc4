from __future__ import annotations

import pytest

from srmodels.archs import SRCNN
from srmodels.registry import (
    METHODS,
    SHIPPED_WEIGHTS_DIR,
    MissingWeightsError,
    UnknownMethodError,
    find_weights,
    get_method,
    list_methods,
)
from srmodels.weights import save_weights

PAPER_LABELS = {
    "nearest": "NN",
    "bicubic": "Bicubic",
    "srcnn": "SRCNN",
    "espcn": "ESPCN",
    "drcn": "DRCN",
    "srresnet-mse": "SRResNet",
    "srresnet-vgg22": "SRResNet-VGG22",
    "srgan-mse": "SRGAN-MSE",
    "srgan-vgg22": "SRGAN-VGG22",
    "srgan-vgg54": "SRGAN",
}


def test_it_registers_the_papers_methods_with_their_table_labels():
    assert {key: spec.label for key, spec in METHODS.items()} == PAPER_LABELS
    assert [key for key, spec in METHODS.items() if not spec.needs_weights] == [
        "nearest",
        "bicubic",
    ]


def test_it_describes_how_each_model_is_applied():
    srgan = get_method("srgan-vgg54")
    assert (srgan.arch, srgan.apply, srgan.output_range) == ("srresnet", "rgb", (-1.0, 1.0))
    assert dict(srgan.arch_args) == {"num_features": 64, "num_blocks": 16, "scale": 4}
    assert get_method("srcnn").apply == "y-upsampled"
    assert get_method("drcn").apply == "y-upsampled"
    assert get_method("espcn").apply == "y-lr"
    assert get_method("srcnn").weights_file == "srcnn.safetensors"
    assert get_method("bicubic").weights_file is None


def test_it_lists_the_known_keys_for_an_unknown_one():
    with pytest.raises(UnknownMethodError) as info:
        get_method("srgan")
    assert "'srgan'" in str(info.value)
    assert "srgan-vgg54" in str(info.value)
    assert "bicubic" in str(info.value)


def test_it_explains_how_to_get_missing_weights(monkeypatch, tmp_path):
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(tmp_path))
    if (SHIPPED_WEIGHTS_DIR / "drcn.safetensors").exists():
        pytest.skip("drcn weights are shipped")
    with pytest.raises(MissingWeightsError) as info:
        find_weights("drcn")
    message = str(info.value)
    assert "'drcn' (DRCN)" in message
    assert str(tmp_path / "drcn.safetensors") in message
    assert str(SHIPPED_WEIGHTS_DIR / "drcn.safetensors") in message
    assert "python -m srmodels train --recipe drcn" in message
    assert "--export" in message
    assert "--weights PATH" in message
    assert "SRMODELS_WEIGHTS_DIR" in message


def test_it_finds_weights_through_the_environment_before_the_shipped_folder(monkeypatch, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    save_weights(second / "srcnn", SRCNN(n1=4, n2=2), meta={"method": "srcnn"})
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", f"{first}:{second}")
    assert find_weights("srcnn") == second / "srcnn.safetensors"
    status = {s.spec.key: s for s in list_methods()}
    assert status["srcnn"].available
    assert status["srcnn"].weights_path == second / "srcnn.safetensors"
    assert status["bicubic"].available
    assert status["bicubic"].weights_path is None
    assert list(status) == list(PAPER_LABELS)


def test_it_prefers_an_explicit_weights_file_and_names_it_when_absent(tmp_path):
    explicit, _ = save_weights(tmp_path / "mine", SRCNN(n1=4, n2=2), meta={"method": "srcnn"})
    assert find_weights("srcnn", explicit) == explicit
    with pytest.raises(MissingWeightsError, match=r"nope\.safetensors"):
        find_weights("srcnn", tmp_path / "nope.safetensors")


def test_it_refuses_a_weights_file_for_an_interpolation(tmp_path):
    with pytest.raises(ValueError, match="takes no weights"):
        find_weights("bicubic", tmp_path / "x.safetensors")
