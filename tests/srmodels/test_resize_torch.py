"""imresize_torch applies imresize's maths to NCHW tensors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from srmodels.resize import imresize, imresize_torch


def _numpy_reference(batch: np.ndarray, **kwargs) -> np.ndarray:
    return np.stack(
        [imresize(image.transpose(1, 2, 0), **kwargs).transpose(2, 0, 1) for image in batch]
    )


@pytest.mark.parametrize("scale", [4, 2, 3, 1 / 4, 1 / 3, 0.7, 2.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_it_agrees_with_imresize_on_float_input(scale, dtype):
    batch = np.random.default_rng(1).random((2, 3, 23, 17)).astype(dtype)
    out = imresize_torch(torch.from_numpy(batch), scale)
    expected = _numpy_reference(batch, scale=scale)
    assert out.dtype == torch.from_numpy(batch).dtype
    assert tuple(out.shape) == expected.shape
    assert np.abs(out.numpy() - expected).max() <= 1e-5


def test_it_accepts_an_output_shape_and_a_single_chw_image():
    image = torch.rand(3, 30, 20, dtype=torch.float64)
    out = imresize_torch(image, output_shape=(12, 45))
    expected = imresize(image.permute(1, 2, 0).numpy(), output_shape=(12, 45))
    assert out.shape == (3, 12, 45)
    assert np.abs(out.permute(1, 2, 0).numpy() - expected).max() <= 1e-12


def test_it_computes_half_precision_in_float32():
    batch = torch.rand(1, 3, 16, 16)
    out = imresize_torch(batch.to(torch.bfloat16), 0.25)
    assert out.dtype == torch.bfloat16
    reference = imresize_torch(batch.to(torch.bfloat16).float(), 0.25)
    assert torch.equal(out, reference.to(torch.bfloat16))


def test_it_stays_differentiable_after_a_call_in_inference_mode():
    with torch.inference_mode():
        imresize_torch(torch.rand(1, 1, 9, 9), 2)  # fills the weight cache
    x = torch.rand(1, 1, 9, 9, requires_grad=True)
    imresize_torch(x, 2).sum().backward()
    # Each output row/column's weights sum to one, so interior inputs get gradient ~4.
    assert x.grad is not None
    assert x.grad[0, 0, 4, 4].item() == pytest.approx(4.0, abs=1e-5)


def test_it_rejects_integer_tensors():
    with pytest.raises(TypeError, match="floating-point"):
        imresize_torch(torch.zeros(1, 3, 4, 4, dtype=torch.uint8), 2)
