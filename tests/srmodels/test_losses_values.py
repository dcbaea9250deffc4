"""Each loss term against values worked out by hand on fixed tensors."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from srmodels.archs.vgg import VGG19Features
from srmodels.losses import (
    DiscriminatorLoss,
    GeneratorAdversarialLoss,
    PerceptualLoss,
    PixelLoss,
    RecursiveSupervisionLoss,
    TVLoss,
    VGGContentLoss,
)


def test_it_computes_pixel_mse_by_hand() -> None:
    sr = torch.zeros(1, 1, 2, 2)
    hr = torch.tensor([[[[0.5, -0.5], [1.0, 0.0]]]])
    # (0.25 + 0.25 + 1 + 0) / 4
    assert PixelLoss()(sr, hr).item() == pytest.approx(0.375)
    assert PixelLoss(weight=2.0)(sr, hr).item() == pytest.approx(0.75)


def test_it_computes_total_variation_by_hand() -> None:
    image = torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])
    # dx: (1-0)^2 + (4-2)^2 = 5; dy: (2-0)^2 + (4-1)^2 = 13; sum 18, weight 2e-8.
    assert TVLoss()(image).item() == pytest.approx(18 * 2e-8)
    # Batch mean of per-image sums: a flat image adds 0.
    batch = torch.cat([image, torch.zeros_like(image)])
    assert TVLoss(weight=1.0)(batch).item() == pytest.approx(9.0)


def test_it_weights_the_adversarial_term_1e_3() -> None:
    logits = torch.tensor([[2.0], [-1.0]])
    # -log sigmoid(2) and -log sigmoid(-1)
    expected = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(1))) / 2
    assert GeneratorAdversarialLoss()(logits).item() == pytest.approx(1e-3 * expected)
    assert GeneratorAdversarialLoss(weight=1.0)(torch.zeros(3, 1)).item() == pytest.approx(
        math.log(2)
    )


def test_it_computes_discriminator_cross_entropy_by_hand() -> None:
    loss = DiscriminatorLoss()
    real = torch.tensor([[3.0], [0.0]])
    fake = torch.tensor([[-2.0], [1.0]])
    terms = loss(real, fake)
    # real -> 1: -log sigmoid(z); fake -> 0: -log(1 - sigmoid(z))
    assert terms["d_real"].item() == pytest.approx((math.log(1 + math.exp(-3)) + math.log(2)) / 2)
    assert terms["d_fake"].item() == pytest.approx(
        (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(1))) / 2
    )


def test_it_stays_finite_for_saturated_logits() -> None:
    """log(sigmoid(-200)) underflows to -inf in float32; the logit form gives 200."""
    assert GeneratorAdversarialLoss(weight=1.0)(torch.tensor([[-200.0]])).item() == 200.0
    terms = DiscriminatorLoss()(torch.tensor([[-150.0]]), torch.tensor([[150.0]]))
    assert terms["d_real"].item() == 150.0
    assert terms["d_fake"].item() == 150.0


@pytest.fixture(scope="module")
def vgg() -> VGG19Features:
    torch.manual_seed(0)
    return VGG19Features(layers=("relu2_2", "relu5_4"), pretrained=False)


@pytest.mark.parametrize(("layer", "name"), [("vgg22", "relu2_2"), ("vgg54", "relu5_4")])
def test_it_rescales_vgg_features_by_1_over_12_75(
    vgg: VGG19Features, layer: str, name: str
) -> None:
    torch.manual_seed(1)
    sr = torch.rand(2, 3, 32, 32) * 2 - 1
    hr = torch.rand(2, 3, 32, 32) * 2 - 1
    loss = VGGContentLoss(layer, vgg=vgg)
    # Images in [-1, 1] reach the extractor as [0, 1]; scaling both maps by 1/12.75
    # scales their MSE by 1/12.75^2.
    raw = F.mse_loss(vgg((sr + 1) / 2)[name], vgg((hr + 1) / 2)[name]).item()
    assert raw > 0
    assert loss(sr, hr).item() == pytest.approx(raw / 12.75**2, rel=1e-5)
    assert VGGContentLoss(layer, vgg=vgg, rescale=1.0)(sr, hr).item() == pytest.approx(
        raw, rel=1e-5
    )


def test_it_sums_content_and_1e_3_adversarial_into_the_perceptual_loss() -> None:
    sr = torch.zeros(2, 3, 4, 4)
    hr = torch.full((2, 3, 4, 4), 0.5)
    logits = torch.zeros(2, 1)
    loss = PerceptualLoss(PixelLoss(), adversarial=GeneratorAdversarialLoss(), tv=TVLoss())
    total, terms = loss(sr, hr, logits)
    assert loss.term_names == ("content", "tv", "adv")
    assert terms["content"].item() == pytest.approx(0.25)
    assert terms["tv"].item() == 0.0
    assert terms["adv"].item() == pytest.approx(1e-3 * math.log(2))
    assert total.item() == pytest.approx(0.25 + 1e-3 * math.log(2))


def test_it_weights_drcn_recursive_supervision_by_alpha() -> None:
    hr = torch.zeros(1, 1, 2, 2)
    output = torch.full((1, 1, 2, 2), 1.0)  # MSE 1
    intermediates = [torch.full((1, 1, 2, 2), 2.0), torch.full((1, 1, 2, 2), 4.0)]  # 4, 16
    total, terms = RecursiveSupervisionLoss()(output, intermediates, hr, alpha=0.25)
    assert terms["supervision"].item() == pytest.approx(0.25 * (4 + 16) / 2)
    assert terms["content"].item() == pytest.approx(0.75 * 1)
    assert total.item() == pytest.approx(2.5 + 0.75)


def test_it_lets_gradients_reach_the_image_but_not_the_vgg(vgg: VGG19Features) -> None:
    sr = torch.zeros(1, 3, 16, 16, requires_grad=True)
    VGGContentLoss("vgg22", vgg=vgg)(sr, torch.ones(1, 3, 16, 16)).backward()
    assert sr.grad is not None
    assert sr.grad.abs().sum() > 0
    assert all(p.grad is None for p in vgg.parameters())
