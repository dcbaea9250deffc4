"""Small networks saved in the weights format, for the engine and CLI tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from srmodels.archs import build_arch
from srmodels.registry import get_method
from srmodels.weights import save_weights

SMALL = {
    "srresnet": {"num_features": 16, "num_blocks": 2},
    "drcn": {"num_features": 8, "recursions": 2},
    "srcnn": {"n1": 8, "n2": 4},
    "espcn": {"n1": 8, "n2": 4},
}


def small_weights(
    folder: Path, method: str, *, seed: int = 0, contrast: float = 12.0, **overrides
) -> Path:
    """A random small network for ``method`` saved as ``folder/<method>.safetensors``.

    ``contrast`` scales the last layer so outputs span the grey range instead of
    hugging one value: a test comparing outputs then compares real structure.
    """
    spec = get_method(method)
    torch.manual_seed(seed)
    args = {**spec.arch_args, **SMALL[spec.arch], **overrides}
    model = build_arch(spec.arch, **args)
    last = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)][-1]
    with torch.no_grad():
        last.weight.mul_(contrast)
    tensors, _ = save_weights(folder / method, model, meta={"method": method})
    return tensors


def rgb(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random colour image (noise upsampled), like a photo more than noise is."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (height // 4 + 2, width // 4 + 2, 3))
    from srmodels.resize import imresize

    fine = imresize(coarse, output_shape=(height, width))
    return np.clip(fine + rng.normal(0, 8, fine.shape), 0, 255).round().astype(np.uint8)
