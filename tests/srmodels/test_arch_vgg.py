from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest
import torch
from torch import nn

from srmodels.archs import VGG19Features
from srmodels.archs.vgg import VGG19_FILE, VGG19_URL, VGGWeightsError

# torchvision's VGG19 layout, written out independently of srmodels.
CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M"]
CFG += [512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]


def reference_vgg19() -> nn.Sequential:
    layers: list[nn.Module] = []
    channels = 3
    for item in CFG:
        if item == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, item, 3, padding=1), nn.ReLU()]
            channels = item
    return nn.Sequential(*layers)


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory) -> tuple[Path, nn.Sequential]:
    torch.manual_seed(0)
    features = reference_vgg19()
    state = {f"features.{k}": v for k, v in features.state_dict().items()}
    # The real file also holds the classifier; it must be ignored.
    state["classifier.0.weight"] = torch.zeros(4096, 25088 // 64)
    path = tmp_path_factory.mktemp("vgg") / VGG19_FILE
    torch.save(state, path)
    return path, features


def normalise(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    return (x - mean) / std


def test_it_returns_phi22_and_phi54_of_a_torchvision_state_dict(vgg_file):
    path, reference = vgg_file
    model = VGG19Features(layers=("relu2_2", "relu5_4"), weights=path)
    x = torch.rand(2, 3, 32, 32)
    out = model(x)
    with torch.no_grad():
        expected22 = reference[:9](normalise(x))
        expected54 = reference[:36](normalise(x))
    torch.testing.assert_close(out["relu2_2"], expected22)
    torch.testing.assert_close(out["relu5_4"], expected54)
    assert out["relu2_2"].shape == (2, 128, 16, 16)
    assert len(model.features) == 36


def test_it_reads_the_file_from_the_environment(vgg_file, monkeypatch):
    path, reference = vgg_file
    monkeypatch.setenv("SRMODELS_VGG19_WEIGHTS", str(path))
    model = VGG19Features(layers=("relu1_1",))
    torch.testing.assert_close(model.features[0].weight, reference[0].weight)


def test_it_is_frozen_but_passes_gradients_to_its_input(vgg_file):
    path, _ = vgg_file
    model = VGG19Features(layers=("relu2_2",), weights=path)
    model.train()
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    x = torch.rand(1, 3, 16, 16, requires_grad=True)
    model(x)["relu2_2"].sum().backward()
    assert x.grad is not None
    assert x.grad.abs().sum() > 0


def test_it_names_the_file_and_setting_when_the_download_fails(monkeypatch, tmp_path):
    calls = []

    def offline(url, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.delenv("SRMODELS_VGG19_WEIGHTS", raising=False)
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(VGGWeightsError) as info:
        VGG19Features()
    assert calls == [VGG19_URL]
    message = str(info.value)
    assert VGG19_FILE in message
    assert "SRMODELS_VGG19_WEIGHTS" in message
    assert "--vgg-weights" in message


def test_it_names_a_missing_weights_file(tmp_path):
    with pytest.raises(VGGWeightsError, match="does not exist"):
        VGG19Features(weights=tmp_path / "nope.pth")


def test_it_rejects_a_state_dict_of_another_network(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"features.0.weight": torch.zeros(8, 3, 3, 3)}, path)
    with pytest.raises(VGGWeightsError, match=r"lacks features\.0\.bias"):
        VGG19Features(layers=("relu1_1",), weights=path)


def test_it_rejects_unknown_layer_names():
    with pytest.raises(ValueError, match="relu6_1"):
        VGG19Features(layers=("relu6_1",), pretrained=False)
