"""MATLAB's ``rgb2ycbcr`` / ``ycbcr2rgb`` (ITU-R BT.601, "studio swing" Y in 16..235).

Super-resolution papers report PSNR and SSIM on this Y channel, rounded to an integer as
MATLAB does for ``uint8`` images (and as daala's tools do, which read 8-bit Y planes).
Other luma definitions (full-range BT.601, BT.709, Pillow's ``L``) move PSNR by tenths
of a dB, so the coefficients here are MATLAB's, verbatim.

All functions take RGB on the 0..255 scale (``uint8`` or float) and return float64.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np

from srmodels.typedefs import Float64Array, PixelArray

if TYPE_CHECKING:
    import torch

# MATLAB rgb2ycbcr for 0..255 input: [Y Cb Cr] = OFFSET + MATRIX / 255 @ [R G B].
MATRIX = np.array(
    [
        [65.481, 128.553, 24.966],
        [-37.797, -74.203, 112.0],
        [112.0, -93.786, -18.214],
    ]
)
OFFSET = np.array([16.0, 128.0, 128.0])
# MATLAB rgb2gray's coefficients: full-range BT.601 luma (they sum to 1 within 1e-15).
GRAY = np.array([0.298936021293775, 0.587043074451121, 0.114020904255103])


def _check_rgb(image: PixelArray, what: str = "RGB") -> PixelArray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an HxWx3 {what} image, got shape {image.shape}")
    return image


def rgb2ycbcr(image: PixelArray) -> Float64Array:
    """Y, Cb, Cr (float64, unrounded) of an RGB image with values in 0..255."""
    rgb = _check_rgb(image).astype(np.float64)
    ycbcr: Float64Array = rgb @ (MATRIX.T / 255.0) + OFFSET
    return ycbcr


def ycbcr2rgb(ycbcr: PixelArray) -> Float64Array:
    """MATLAB's inverse of :func:`rgb2ycbcr`: RGB as float64, clipped to 0..255."""
    values = _check_rgb(ycbcr, "YCbCr").astype(np.float64)
    rgb: Float64Array = (values - OFFSET) @ (np.linalg.inv(MATRIX).T * 255.0)
    return np.clip(rgb, 0.0, 255.0)


def rgb2y(image: PixelArray, *, round: bool = True) -> Float64Array:
    """The Y channel of :func:`rgb2ycbcr` as an HxW float64 array.

    ``round=True`` (the default, and the evaluation convention) rounds half away from
    zero to integers, as MATLAB's conversion of a ``uint8`` image does.
    """
    rgb = _check_rgb(image).astype(np.float64)
    y: Float64Array = rgb @ (MATRIX[0] / 255.0) + OFFSET[0]
    return np.floor(y + 0.5) if round else y


# NumPy arrays or torch tensors: what the planes are, the result is.
PlaneT = TypeVar("PlaneT", Float64Array, "torch.Tensor")


def luma_unit(r: PlaneT, g: PlaneT, b: PlaneT) -> PlaneT:
    """Y / 255 of :func:`rgb2ycbcr` (unrounded) from R, G, B planes in [0, 1].

    Plain arithmetic, so it serves NumPy arrays and torch tensors alike: the inference
    engine feeds Y-channel networks with it, and the trainer builds their inputs and
    targets with it (the same numbers at inference and training).
    """
    # Python floats, so a torch tensor keeps its dtype and device.
    kr, kg, kb = (float(k) for k in MATRIX[0] / 255.0)
    return float(OFFSET[0] / 255.0) + kr * r + kg * g + kb * b


def rgb2gray(image: PixelArray, *, round: bool = True) -> Float64Array:
    """MATLAB's ``rgb2gray``: full-range (0..255) BT.601 luma as an HxW float64 array.

    Only for images whose reference is a greyscale file: Huang et al.'s benchmark code and
    the SRGAN paper compare such images on their grey values, not on the 16..235 Y (see
    ``srmodels.metrics.evaluate_pair(grey=True)``). For an image with R = G = B it returns
    the grey value itself. ``round=True`` rounds half away from zero like MATLAB's uint8.
    """
    rgb = _check_rgb(image).astype(np.float64)
    gray: Float64Array = rgb @ GRAY
    return np.floor(gray + 0.5) if round else gray
