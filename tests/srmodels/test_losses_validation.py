"""Loss arguments are validated when the loss is built, with messages naming the value."""

from __future__ import annotations

import math

import pytest
import torch

from srmodels.archs.vgg import VGG19Features
from srmodels.losses import (
    GeneratorAdversarialLoss,
    PerceptualLoss,
    PixelLoss,
    TVLoss,
    VGGContentLoss,
)


@pytest.mark.parametrize("weight", [-1.0, math.inf, math.nan])
def test_it_refuses_negative_or_non_finite_weights(weight: float) -> None:
    with pytest.raises(ValueError, match="finite number >= 0"):
        PixelLoss(weight=weight)
    with pytest.raises(ValueError, match="TVLoss weight"):
        TVLoss(weight=weight)


def test_it_refuses_non_numeric_weights() -> None:
    with pytest.raises(TypeError, match="must be a number"):
        GeneratorAdversarialLoss(weight=True)
    with pytest.raises(TypeError, match="must be a number"):
        PixelLoss(weight="1")  # type: ignore[arg-type]


def test_it_refuses_unknown_vgg_layers_and_zero_rescale() -> None:
    vgg = VGG19Features(layers=("relu2_2",), pretrained=False)
    with pytest.raises(ValueError, match="unknown VGG layer 'vgg99'"):
        VGGContentLoss("vgg99", vgg=vgg)
    with pytest.raises(ValueError, match="does not return 'relu5_4'"):
        VGGContentLoss("vgg54", vgg=vgg)
    with pytest.raises(ValueError, match="rescale must be > 0"):
        VGGContentLoss("vgg22", vgg=vgg, rescale=0.0)


def test_it_refuses_mismatched_shapes_and_missing_logits() -> None:
    with pytest.raises(ValueError, match=r"\(1, 3, 4, 4\) vs \(1, 3, 8, 8\)"):
        PixelLoss()(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 8, 8))
    loss = PerceptualLoss(PixelLoss(), adversarial=GeneratorAdversarialLoss())
    with pytest.raises(ValueError, match="pass fake_logits"):
        loss(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 4))
    with pytest.raises(TypeError, match="PixelLoss or VGGContentLoss"):
        PerceptualLoss(TVLoss())
