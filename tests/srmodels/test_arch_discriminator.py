from __future__ import annotations

import pytest
import torch

from srmodels.archs import Discriminator


def test_it_has_the_papers_parameter_count_for_96x96():
    model = Discriminator()
    assert sum(p.numel() for p in model.parameters()) == 23_565_505


def test_it_returns_logits_and_exposes_the_sigmoid_probability():
    torch.manual_seed(0)
    model = Discriminator(num_features=8, input_size=32).eval()
    x = torch.rand(3, 3, 32, 32)
    with torch.no_grad():
        logits = model(x)
        probability = model.probability(x)
    assert logits.shape == (3, 1)
    torch.testing.assert_close(probability, torch.sigmoid(logits))
    assert ((probability > 0) & (probability < 1)).all()


def test_it_halves_the_size_four_times_with_leaky_relu_0_2():
    model = Discriminator()
    strides = [m.stride[0] for m in model.features if isinstance(m, torch.nn.Conv2d)]
    assert strides == [1, 2, 1, 2, 1, 2, 1, 2]
    slopes = {m.negative_slope for m in model.modules() if isinstance(m, torch.nn.LeakyReLU)}
    assert slopes == {0.2}
    assert model.classifier[1].in_features == 512 * 6 * 6


def test_it_names_the_expected_size_for_a_wrong_input():
    model = Discriminator(num_features=8, input_size=32)
    with pytest.raises(ValueError, match="expects 32x32"):
        model(torch.rand(1, 3, 48, 48))


def test_it_rejects_an_input_size_not_divisible_by_16():
    with pytest.raises(ValueError, match="multiple of 16"):
        Discriminator(input_size=90)
