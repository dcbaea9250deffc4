"""psnr, ssim and ssim_daala against values and implementations independent of ours."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import correlate2d
from skimage.metrics import structural_similarity

from srmodels.color import rgb2y
from srmodels.metrics import daala_kernel, evaluate_pair, psnr, ssim, ssim_daala


def _pair(shape=(40, 52), seed=0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hr = rng.integers(0, 256, (*shape, 3)).astype(np.uint8)
    noise = rng.normal(0, 12, hr.shape)
    sr = np.clip(hr.astype(np.float64) + noise, 0, 255).astype(np.uint8)
    return sr, hr


def test_it_computes_psnr_from_the_mean_squared_error():
    hr = np.full((20, 20), 100.0)
    sr = hr + 1.0  # MSE 1 -> 10 log10(255^2)
    assert psnr(sr, hr, border=0) == pytest.approx(20 * math.log10(255))
    sr[5:15, 5:15] += 1.0  # 100 pixels off by 2, 300 by 1 -> MSE 1.75 over 20x20 ...
    assert psnr(sr, hr, border=0) == pytest.approx(10 * math.log10(255**2 / 1.75))
    assert psnr(sr, hr, border=5) == pytest.approx(10 * math.log10(255**2 / 4))  # ... 4 inside


def test_it_returns_infinity_for_identical_images_and_ignores_the_border():
    sr, hr = _pair()
    assert psnr(hr, hr, border=4) == math.inf
    sr = hr.copy()
    sr[:4] = 0
    sr[:, -4:] = 255
    assert psnr(sr, hr, border=4) == math.inf
    assert evaluate_pair(sr, hr, scale=4) == {"psnr": math.inf, "ssim": 1.0, "ssim_daala": 1.0}


def test_it_measures_the_rounded_y_channel_by_default():
    sr, hr = _pair()
    y_sr, y_hr = rgb2y(sr)[4:-4, 4:-4], rgb2y(hr)[4:-4, 4:-4]
    expected = 10 * math.log10(255**2 / np.mean((y_sr - y_hr) ** 2))
    assert psnr(sr, hr, border=4) == pytest.approx(expected, abs=1e-12)
    unrounded = rgb2y(sr, round=False)[4:-4, 4:-4] - rgb2y(hr, round=False)[4:-4, 4:-4]
    assert psnr(sr, hr, border=4, round_y=False) == pytest.approx(
        10 * math.log10(255**2 / np.mean(unrounded**2)), abs=1e-12
    )
    rgb = sr[4:-4, 4:-4].astype(float) - hr[4:-4, 4:-4]
    assert psnr(sr, hr, border=4, y_only=False) == pytest.approx(
        10 * math.log10(255**2 / np.mean(rgb**2)), abs=1e-12
    )


def test_it_computes_ssim_as_matlab_ssim_index():
    sr, hr = _pair()
    a, b = rgb2y(sr)[4:-4, 4:-4], rgb2y(hr)[4:-4, 4:-4]
    # ssim_index.m: fspecial('gaussian', 11, 1.5) and filter2(..., 'valid').
    x = np.arange(-5, 6)
    window = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * 1.5**2))
    window /= window.sum()

    def f(img):
        return correlate2d(img, window, mode="valid")

    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = f(a), f(b)
    s_a, s_b, s_ab = f(a * a) - mu_a**2, f(b * b) - mu_b**2, f(a * b) - mu_a * mu_b
    expected = np.mean(
        ((2 * mu_a * mu_b + c1) * (2 * s_ab + c2)) / ((mu_a**2 + mu_b**2 + c1) * (s_a + s_b + c2))
    )
    ours = ssim(sr, hr, border=4)
    assert ours == pytest.approx(expected, abs=1e-12)
    # scikit-image's Gaussian SSIM with the paper settings is the same measure.
    reference = structural_similarity(
        a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
    )
    assert ours == pytest.approx(reference, abs=1e-9)
    assert 0.3 < ours < 0.99


def test_it_builds_daalas_integer_gaussian_taps():
    # sigma 1.5 (a 256-line picture): the kernel daala and VMAF's integer SSIM use.
    assert daala_kernel(1.5, 5).tolist() == [2, 9, 28, 55, 68, 55, 28, 9, 2]
    wide = daala_kernel(1.5 * 504 / 256, 504)
    assert wide.sum() == 256
    assert len(wide) == 17
    assert np.array_equal(wide, wide[::-1])
    assert len(daala_kernel(10.0, 4)) == 7  # capped below the image size
    assert daala_kernel(300.0, 1000).tolist() == [256]  # too wide to quantise: identity


def _daala_by_loops(a: np.ndarray, b: np.ndarray) -> float:
    """dump_ssim's algorithm written out per pixel: truncated windows, weighted mean."""
    height, width = a.shape
    kernel = daala_kernel(1.5 * height / 256, min(height, width)).astype(np.int64)
    half = len(kernel) // 2
    total = weights = 0.0
    for y in range(height):
        for x in range(width):
            mx = my = x2 = xy = y2 = w = 0
            for dy in range(-half, half + 1):
                for dx in range(-half, half + 1):
                    if 0 <= y + dy < height and 0 <= x + dx < width:
                        k = int(kernel[dy + half] * kernel[dx + half])
                        s, d = int(a[y + dy, x + dx]), int(b[y + dy, x + dx])
                        mx, my, w = mx + k * s, my + k * d, w + k
                        x2, xy, y2 = x2 + k * s * s, xy + k * s * d, y2 + k * d * d
            # Normalised moments; daala's unnormalised form is the same ratio times w^4/w^4.
            mu_a, mu_b = mx / w, my / w
            var_a, var_b, cov = x2 / w - mu_a**2, y2 / w - mu_b**2, xy / w - mu_a * mu_b
            c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
            value = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / (
                (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
            )
            total += w * value
            weights += w
    return total / weights


def test_it_computes_daala_ssim_with_truncated_renormalised_windows():
    # 298 rows after the crop: sigma 1.75, 11 taps, so most windows of a 12-column
    # picture are cut by an edge.
    sr, hr = _pair(shape=(300, 14), seed=5)
    a, b = rgb2y(sr)[1:-1, 1:-1], rgb2y(hr)[1:-1, 1:-1]
    assert len(daala_kernel(1.5 * 298 / 256, 12)) == 11
    assert ssim_daala(sr, hr, border=1) == pytest.approx(_daala_by_loops(a, b), abs=1e-12)


def test_it_caps_daalas_window_below_the_picture_size():
    sr, hr = _pair(shape=(400, 5), seed=7)
    assert len(daala_kernel(1.5 * 400 / 256, 5)) == 9  # 15 taps uncapped
    a, b = rgb2y(sr), rgb2y(hr)
    assert ssim_daala(sr, hr, border=0) == pytest.approx(_daala_by_loops(a, b), abs=1e-12)


def test_it_scales_daalas_window_with_the_picture_height():
    sr, hr = _pair(shape=(48, 96), seed=6)
    landscape = ssim_daala(sr, hr, border=0)
    portrait = ssim_daala(sr.transpose(1, 0, 2), hr.transpose(1, 0, 2), border=0)
    assert landscape != pytest.approx(portrait, abs=1e-4)
    assert ssim_daala(hr, hr, border=0) == 1.0


def test_it_names_both_sizes_when_they_differ():
    with pytest.raises(ValueError, match="SR is 8x6, HR is 8x7"):
        evaluate_pair(np.zeros((6, 8, 3), np.uint8), np.zeros((7, 8, 3), np.uint8), scale=2)


def test_it_refuses_an_image_too_small_for_the_border():
    tiny = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="8x8 pixels is too small for a border of 4"):
        evaluate_pair(tiny, tiny, scale=4)
    with pytest.raises(ValueError, match="smaller than the 11x11 SSIM window"):
        ssim(np.zeros((16, 16, 3), np.uint8), np.zeros((16, 16, 3), np.uint8), border=4)
