"""PSNR and SSIM with the super-resolution literature's conventions.

- Both images are compared on the Y channel of MATLAB's ``rgb2ycbcr`` (BT.601, 16..235),
  rounded to integers by default as MATLAB and daala do (``round_y=False`` keeps the
  unrounded Y; ``y_only=False`` compares the three RGB channels instead).
- ``border`` pixels are cropped from every edge first; the convention is border = scale.
- :func:`ssim` is Wang et al.'s SSIM exactly as their MATLAB ``ssim_index``: an 11x11
  Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, L = 255, averaged over the
  positions where the window fits inside the image.
- :func:`ssim_daala` is daala's ``dump_ssim``, the tool the SRGAN paper used: a Gaussian
  whose sigma grows with the image height (1.5 * H / 256), quantised to integer taps that
  sum to 256, windows truncated at the image edges and renormalised, and per-pixel SSIM
  averaged with each window's total weight as its weight. It scores higher than the
  standard SSIM (Set5 bicubic x4: 0.820 against 0.810). H is the height *after* the
  border crop and Y is rounded: of the readings of the tool's description, that one
  reproduces the paper's bicubic Set14 / BSD100 values (0.7490 / 0.6933 against 0.7486 /
  0.6935) and its Table 1 on the authors' released outputs to within 0.001; taking H
  before the crop gives 0.7503 / 0.6966.
- Greyscale source files: the published figures (Huang et al.'s MATLAB code, the SRGAN
  paper) compare them on full-range grey values, not 16..235 Y; ``evaluate_pair(...,
  grey=True)`` does that. The default keeps Y for every image.

Inputs are uint8 HxWx3 RGB arrays (or HxW arrays, taken as the Y channel itself).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from srmodels.color import rgb2gray, rgb2y
from srmodels.typedefs import Float64Array, Int64Array, PixelArray

DATA_RANGE = 255.0
K1 = 0.01
K2 = 0.03

# daala quantises its window to integers summing to 1 << 8.
_DAALA_KERNEL_WEIGHT = 256


def _size(image: PixelArray) -> str:
    return f"{image.shape[1]}x{image.shape[0]}"


def _prepare(
    sr: PixelArray, hr: PixelArray, *, border: int, y_only: bool, round_y: bool
) -> tuple[Float64Array, Float64Array]:
    """The two float64 planes (or HxWx3 stacks) that a metric compares, border cropped."""
    sr = np.asarray(sr)
    hr = np.asarray(hr)
    if sr.shape != hr.shape:
        raise ValueError(f"image sizes differ: SR is {_size(sr)}, HR is {_size(hr)}")
    if sr.ndim not in (2, 3) or (sr.ndim == 3 and sr.shape[2] != 3):
        raise ValueError(f"expected HxWx3 RGB or HxW images, got shape {sr.shape}")
    border = int(border)
    if border < 0:
        raise ValueError(f"border must be >= 0, got {border}")
    height, width = sr.shape[:2]
    if height <= 2 * border or width <= 2 * border:
        raise ValueError(f"image of {width}x{height} pixels is too small for a border of {border}")
    if sr.ndim == 3 and y_only:
        a, b = rgb2y(sr, round=round_y), rgb2y(hr, round=round_y)
    else:
        a, b = sr.astype(np.float64), hr.astype(np.float64)
    if border:
        a = a[border:-border, border:-border]
        b = b[border:-border, border:-border]
    return a, b


def psnr(
    sr: PixelArray,
    hr: PixelArray,
    *,
    border: int,
    y_only: bool = True,
    round_y: bool = True,
) -> float:
    """Peak signal-to-noise ratio in dB (peak 255); ``inf`` when the images are identical."""
    a, b = _prepare(sr, hr, border=border, y_only=y_only, round_y=round_y)
    mse = float(np.mean((a - b) ** 2))
    if mse == 0:
        return math.inf
    return 10.0 * math.log10(DATA_RANGE**2 / mse)


def _gaussian_window(sigma: float, radius: int) -> Float64Array:
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    window: Float64Array = g / g.sum()
    return window


def _ssim_plane(a: Float64Array, b: Float64Array, *, window: Float64Array) -> float:
    """MATLAB ``ssim_index`` on one plane: filter2(window, ., 'valid') statistics."""
    radius = len(window) // 2
    if min(a.shape) < len(window):
        raise ValueError(
            f"a {a.shape[1]}x{a.shape[0]} image (after the border crop) is smaller than "
            f"the {len(window)}x{len(window)} SSIM window"
        )

    def blur(x: Float64Array) -> Float64Array:
        # The separable product equals fspecial's normalised 2-D Gaussian; only 'valid'
        # positions are kept, so the padding mode never reaches the result.
        out: Float64Array = ndimage.correlate1d(x, window, axis=0, mode="constant")
        out = ndimage.correlate1d(out, window, axis=1, mode="constant")
        return out[radius:-radius, radius:-radius]

    c1 = (K1 * DATA_RANGE) ** 2
    c2 = (K2 * DATA_RANGE) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a * mu_a
    var_b = blur(b * b) - mu_b * mu_b
    cov = blur(a * b) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
        (mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2)
    )
    return float(ssim_map.mean())


def ssim(
    sr: PixelArray,
    hr: PixelArray,
    *,
    border: int,
    y_only: bool = True,
    round_y: bool = True,
    sigma: float = 1.5,
    window_size: int = 11,
) -> float:
    """Structural similarity (Wang et al. 2004) as MATLAB's ``ssim_index``.

    With ``y_only=False`` the three RGB channels are scored separately and averaged.
    """
    a, b = _prepare(sr, hr, border=border, y_only=y_only, round_y=round_y)
    window = _gaussian_window(sigma, window_size // 2)
    if a.ndim == 2:
        return _ssim_plane(a, b, window=window)
    return float(np.mean([_ssim_plane(a[..., c], b[..., c], window=window) for c in range(3)]))


def daala_kernel(sigma: float, max_len: int) -> Int64Array:
    """daala's ``gaussian_filter_init``: integer taps of a Gaussian that sum to 256.

    The half-length is the largest offset whose tap would still be at least half a unit
    (``floor(sigma * sqrt(-2 ln(sqrt(pi / 2) * sigma / 256)))``), capped at
    ``max_len - 1`` so the window never exceeds the image. Off-centre taps are
    ``round(256 * N(k; sigma))``; the centre tap takes whatever makes the sum 256.
    """
    s = math.sqrt(0.5 * math.pi) * sigma / _DAALA_KERNEL_WEIGHT
    half = 0 if s >= 1 else math.floor(sigma * math.sqrt(-2.0 * math.log(s)))
    half = min(half, max_len - 1)
    scale = 1.0 / (math.sqrt(2.0 * math.pi) * sigma)
    offsets = np.arange(1, half + 1, dtype=np.float64)
    side = np.floor(_DAALA_KERNEL_WEIGHT * scale * np.exp(-0.5 * offsets**2 / sigma**2) + 0.5)
    centre = _DAALA_KERNEL_WEIGHT - 2 * side.sum()
    return np.concatenate([side[::-1], [centre], side]).astype(np.int64)


def _daala_ssim_plane(a: Float64Array, b: Float64Array) -> float:
    height, width = a.shape
    sigma = 1.5 * height / 256.0  # daala scales the window with the picture height
    max_len = min(height, width)
    vkernel = daala_kernel(sigma, max_len).astype(np.float64)
    hkernel = vkernel  # pixel aspect ratio 1: the same sigma and cap horizontally

    def window_sum(x: Float64Array) -> Float64Array:
        # Zero padding drops the taps that fall outside the image: daala's truncated
        # windows. All sums are integers below 2**53, so float64 holds them exactly.
        out: Float64Array = ndimage.correlate1d(x, hkernel, axis=1, mode="constant", cval=0.0)
        out = ndimage.correlate1d(out, vkernel, axis=0, mode="constant", cval=0.0)
        return out

    weight = window_sum(np.ones_like(a))  # each window's total weight after truncation
    mux, muy = window_sum(a), window_sum(b)
    x2, y2, xy = window_sum(a * a), window_sum(b * b), window_sum(a * b)
    # daala's arithmetic on unnormalised moments: the usual SSIM formula multiplied
    # through by the window weight.
    peak2 = DATA_RANGE * DATA_RANGE
    c1 = peak2 * K1 * K1 * weight * weight
    c2 = peak2 * K2 * K2 * weight * weight
    mx2, my2, mxy = mux * mux, muy * muy, mux * muy
    per_pixel = ((2 * mxy + c1) * (c2 + 2 * (xy * weight - mxy))) / (
        (mx2 + my2 + c1) * (x2 * weight - mx2 + y2 * weight - my2 + c2)
    )
    return float(np.sum(weight * per_pixel) / np.sum(weight))


def ssim_daala(
    sr: PixelArray,
    hr: PixelArray,
    *,
    border: int,
    y_only: bool = True,
    round_y: bool = True,
) -> float:
    """SSIM as daala's ``dump_ssim`` computes it (the SRGAN paper's SSIM); see the module doc.

    With ``y_only=False`` the three RGB channels are scored separately and averaged.
    """
    a, b = _prepare(sr, hr, border=border, y_only=y_only, round_y=round_y)
    if a.ndim == 2:
        return _daala_ssim_plane(a, b)
    return float(np.mean([_daala_ssim_plane(a[..., c], b[..., c]) for c in range(3)]))


def evaluate_pair(
    sr: PixelArray, hr: PixelArray, *, scale: int, grey: bool = False
) -> dict[str, float]:
    """``psnr``, ``ssim`` and ``ssim_daala`` of one image with the evaluation conventions
    (Y rounded, border = scale). Raises ValueError naming both sizes when they differ.

    ``grey=True`` is for an HR that comes from a greyscale (single-channel) file: both
    images are then compared on full-range grey values (MATLAB ``rgb2gray``, which leaves
    the HR's grey values unchanged) instead of the 16..235 Y. That is what Huang et al.'s
    benchmark code and the SRGAN paper did for Set14's "bridge": with it, bicubic Set14
    gives their 25.993 dB instead of 26.087 dB, and the SRGAN authors' SRResNet-MSE and
    SRGAN-VGG54 outputs give the paper's 28.49 and 26.02 dB.
    """
    sr = np.asarray(sr)
    hr = np.asarray(hr)
    if sr.shape != hr.shape:
        raise ValueError(f"image sizes differ: SR is {_size(sr)}, HR is {_size(hr)}")
    if grey and sr.ndim == 3:
        sr, hr = rgb2gray(sr), rgb2gray(hr)
    a, b = _prepare(sr, hr, border=scale, y_only=True, round_y=True)
    window = _gaussian_window(1.5, 5)
    mse = float(np.mean((a - b) ** 2))
    return {
        "psnr": math.inf if mse == 0 else 10.0 * math.log10(DATA_RANGE**2 / mse),
        "ssim": _ssim_plane(a, b, window=window),
        "ssim_daala": _daala_ssim_plane(a, b),
    }


def gradient_magnitude(image: PixelArray, *, border: int = 4) -> float:
    """Mean gradient magnitude of the Y channel (0..255, unrounded), border excluded.

    Central differences, ``sqrt(dx^2 + dy^2)`` per pixel. A sharpness statistic, not a
    fidelity metric: MSE-trained networks blur (their outputs' mean gradient falls
    below the HR image's), and the SRGAN paper's adversarial loss restores the
    high-frequency energy; comparing it with the HR image's shows which side a method
    errs on.
    """
    y = rgb2y(image, round=False)
    if border:
        y = y[border:-border, border:-border]
    if min(y.shape) < 3:
        raise ValueError(f"image of {_size(image)} is too small for border {border}")
    dy = (y[2:, 1:-1] - y[:-2, 1:-1]) / 2.0
    dx = (y[1:-1, 2:] - y[1:-1, :-2]) / 2.0
    return float(np.mean(np.hypot(dx, dy)))
