from __future__ import annotations

import pytest
import torch

from srmodels.archs import SRResNet


def count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def test_it_has_the_papers_parameter_count_at_x4():
    assert count(SRResNet()) == 1_549_462


def test_it_uses_one_prelu_parameter_per_activation():
    prelus = [m for m in SRResNet().modules() if isinstance(m, torch.nn.PReLU)]
    assert len(prelus) == 1 + 16 + 2
    assert all(m.weight.numel() == 1 for m in prelus)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_it_upscales_by_the_scale(scale):
    model = SRResNet(num_features=8, num_blocks=2, scale=scale).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, 7, 5))
    assert out.shape == (2, 3, 7 * scale, 5 * scale)


def test_it_counts_parameters_of_smaller_configurations_by_the_formula():
    f, b = 16, 3
    block = 2 * (9 * f * f + f) + 2 * 2 * f + 1
    expected = (3 * 81 * f + f + 1) + b * block + (9 * f * f + f + 2 * f)
    expected += 2 * (9 * f * 4 * f + 4 * f + 1) + (81 * f * 3 + 3)
    assert count(SRResNet(num_features=f, num_blocks=b, scale=4)) == expected


def test_it_rejects_an_unsupported_scale():
    with pytest.raises(ValueError, match="scale must be one of"):
        SRResNet(scale=5)


def test_it_records_its_arguments():
    assert SRResNet(num_blocks=3, scale=2).arch_args == {
        "num_features": 64,
        "num_blocks": 3,
        "scale": 2,
        "in_channels": 3,
        "out_channels": 3,
    }
