"""Y-channel models (SRCNN, DRCN on the bicubic image; ESPCN on the LR image)."""

from __future__ import annotations

import numpy as np
import torch

from srmodels.archs import DRCN, ESPCN, SRCNN
from srmodels.color import rgb2ycbcr
from srmodels.engine import Upscaler
from srmodels.resize import imresize
from srmodels.weights import save_weights
from tests.srmodels.engine_helpers import rgb


def assert_close_to(image: np.ndarray, expected: np.ndarray) -> None:
    diff = np.abs(image.astype(int) - expected.astype(int))
    assert diff.max() <= 1
    assert diff.mean() < 0.01


def test_it_gives_the_bicubic_image_for_an_identity_srcnn(tmp_path):
    model = SRCNN(f1=3, f2=1, f3=3, n1=2, n2=2)
    with torch.no_grad():
        for conv in (model.extract, model.map, model.reconstruct):
            conv.weight.zero_()
            conv.bias.zero_()
        model.extract.weight[0, 0, 1, 1] = 1.0
        model.map.weight[0, 0, 0, 0] = 1.0
        model.reconstruct.weight[0, 0, 1, 1] = 1.0
    weights, _ = save_weights(tmp_path / "srcnn", model, meta={"method": "srcnn"}, dtype=None)
    image = rgb(24, 20)
    for scale in (2, 3, 4):
        out = Upscaler("srcnn", scale=scale, weights=weights, precision="fp32").upscale([image])[0]
        assert_close_to(out, imresize(image, scale))


def test_it_gives_the_bicubic_image_for_a_drcn_whose_residual_is_zero(tmp_path):
    model = DRCN(num_features=4, recursions=3)
    with torch.no_grad():
        model.reconstruct[2].weight.zero_()
        model.reconstruct[2].bias.zero_()
    weights, _ = save_weights(tmp_path / "drcn", model, meta={"method": "drcn"})
    image = rgb(16, 24, seed=3)
    out = Upscaler("drcn", weights=weights, precision="fp32").upscale([image])[0]
    assert_close_to(out, imresize(image, 4))


def test_it_changes_only_the_luma_with_espcn(tmp_path):
    torch.manual_seed(0)
    model = ESPCN(scale=4, channels=1, n1=8, n2=4)
    with torch.no_grad():
        model.conv3.bias.fill_(0.45)  # mid-grey Y plus the random layers' structure
    weights, _ = save_weights(tmp_path / "espcn", model, meta={"method": "espcn"})
    image = rgb(16, 12, seed=4)
    out = Upscaler("espcn", weights=weights).upscale([image])[0]
    bicubic = imresize(image, 4)
    assert out.shape == bicubic.shape
    ycc_out, ycc_bic = rgb2ycbcr(out), rgb2ycbcr(bicubic)
    assert np.abs(ycc_out[..., 0] - ycc_bic[..., 0]).mean() > 3  # the network acted on Y
    unclipped = (out > 2).all(axis=2) & (out < 253).all(axis=2)
    chroma_error = np.abs(ycc_out[..., 1:] - ycc_bic[..., 1:])[unclipped]
    assert unclipped.mean() > 0.5
    assert chroma_error.max() < 1.5  # rounding to uint8 only
