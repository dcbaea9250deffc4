"""Shared helpers of the training tests: tiny image folders, a random-weight VGG19 file,
and the small network arguments that make every recipe run 3 steps in about a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from srmodels.archs.vgg import LAYERS, VGG19Features
from srmodels.cli import main
from srmodels.imageio import save_png

# Small arguments per recipe (the crop, 32, must be a multiple of 16 for the discriminator).
TINY = {
    "srresnet-mse": ["arch.num_blocks=1", "arch.num_features=8"],
    "srresnet-vgg22": ["arch.num_blocks=1", "arch.num_features=8"],
    "srgan-mse": ["disc.num_features=4"],
    "srgan-vgg22": ["disc.num_features=4"],
    "srgan-vgg54": ["disc.num_features=4"],
    "srcnn": ["arch.n1=8", "arch.n2=4"],
    "espcn": ["arch.n1=8", "arch.n2=4"],
    "drcn": ["arch.num_features=8", "arch.recursions=2"],
}


def make_images(folder: Path, count: int = 4, size: tuple[int, int] = (48, 56)) -> Path:
    """``count`` smooth, distinct RGB PNGs of ``size`` (h, w): structure for SR to learn."""
    folder.mkdir(parents=True, exist_ok=True)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    for i in range(count):
        channels = [127.5 + 100 * np.sin(xx / (3 + i + c) + yy / (5 + 2 * c) + i) for c in range(3)]
        image = np.clip(np.stack(channels, axis=2), 0, 255).round().astype(np.uint8)
        save_png(folder / f"img{i}.png", image)
    return folder


def write_vgg(path: Path, last_layer: str) -> Path:
    """A torchvision-layout VGG19 state dict with random weights, up to ``last_layer``."""
    torch.manual_seed(0)
    vgg = VGG19Features(layers=(last_layer,), pretrained=False)
    state = {f"features.{k}": v.half() for k, v in vgg.features.state_dict().items()}
    assert max(int(k.split(".")[1]) for k in state) <= LAYERS[last_layer]
    torch.save(state, path)
    return path


def train(*argv: str | Path) -> int:
    """``python -m srmodels train ARGV`` in this process."""
    return main(["train", *map(str, argv)])
