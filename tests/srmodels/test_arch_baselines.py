from __future__ import annotations

import pytest
import torch

from srmodels.archs import DRCN, ESPCN, SRCNN


def test_it_keeps_the_input_size_in_srcnn():
    model = SRCNN().eval()
    with torch.no_grad():
        out = model(torch.rand(2, 1, 33, 21))
    assert out.shape == (2, 1, 33, 21)
    assert [m.kernel_size for m in (model.extract, model.map, model.reconstruct)] == [
        (9, 9),
        (1, 1),
        (5, 5),
    ]
    assert (model.extract.out_channels, model.map.out_channels) == (64, 32)


@pytest.mark.parametrize("scale", [2, 3, 4])
@pytest.mark.parametrize("channels", [1, 3])
def test_it_upscales_with_espcn(scale, channels):
    model = ESPCN(scale=scale, channels=channels).eval()
    with torch.no_grad():
        out = model(torch.rand(1, channels, 10, 7))
    assert out.shape == (1, channels, 10 * scale, 7 * scale)
    assert model.conv3.out_channels == channels * scale * scale


def test_it_returns_one_drcn_prediction_per_recursion():
    model = DRCN(num_features=8, recursions=3).eval()
    x = torch.rand(2, 1, 12, 9)
    with torch.no_grad():
        final, intermediates = model(x, intermediates=True)
        plain = model(x)
    assert final.shape == x.shape
    assert len(intermediates) == 3
    torch.testing.assert_close(final, plain)
    manual = sum(w * y for w, y in zip(model.ensemble, intermediates, strict=True))
    torch.testing.assert_close(final, manual)


def test_it_shares_the_drcn_inference_layer_across_recursions():
    shallow = DRCN(num_features=8, recursions=2)
    deep = DRCN(num_features=8, recursions=10)
    params = {name for name, _ in deep.named_parameters()}
    n_shallow = sum(p.numel() for p in shallow.parameters())
    n_deep = sum(p.numel() for p in deep.parameters())
    assert n_deep - n_shallow == 8  # only the ensemble weights grow
    assert "ensemble" in params


def test_it_adds_the_input_to_every_drcn_prediction():
    model = DRCN(num_features=8, recursions=4).eval()
    with torch.no_grad():
        model.reconstruct[2].weight.zero_()
        model.reconstruct[2].bias.zero_()
        x = torch.rand(1, 1, 10, 10)
        final, intermediates = model(x, intermediates=True)
    for y in intermediates:
        torch.testing.assert_close(y, x)
    torch.testing.assert_close(final, x)  # the ensemble weights start at 1/D


def test_it_trains_the_drcn_ensemble_weights():
    model = DRCN(num_features=8, recursions=3)
    model(torch.rand(1, 1, 8, 8)).sum().backward()
    assert model.ensemble.grad is not None
    assert model.ensemble.grad.abs().sum() > 0
