"""SRCNN, the first convolutional super-resolution network.

Dong, Loy, He & Tang, "Learning a Deep Convolutional Network for Image
Super-Resolution", ECCV 2014: patch extraction (f1 = 9, n1 = 64), non-linear mapping
(f2 = 1, n2 = 32) and reconstruction (f3 = 5), ReLU after the first two layers: the
9-1-5 network whose Set5 x4 result (30.07 dB) the SRGAN paper compares against.

It works on the Y channel of the bicubic-upsampled LR image (values in [0, 1]), so
its output has the input's size and the scale lives outside the network. Unlike the
paper's valid convolutions, each layer is zero-padded so that output size == input size.
"""

from __future__ import annotations

import torch
from torch import nn


class SRCNN(nn.Module):
    """Three-layer SRCNN; defaults are the paper's 9-1-5 network with 64/32 filters."""

    def __init__(
        self,
        f1: int = 9,
        f2: int = 1,
        f3: int = 5,
        n1: int = 64,
        n2: int = 32,
        channels: int = 1,
    ) -> None:
        super().__init__()
        for name, size in (("f1", f1), ("f2", f2), ("f3", f3)):
            if size < 1 or size % 2 == 0:
                raise ValueError(f"SRCNN {name} must be an odd positive filter size, got {size!r}")
        self.arch_args = {"f1": f1, "f2": f2, "f3": f3, "n1": n1, "n2": n2, "channels": channels}
        self.extract = nn.Conv2d(channels, n1, f1, padding=f1 // 2)
        self.map = nn.Conv2d(n1, n2, f2, padding=f2 // 2)
        self.reconstruct = nn.Conv2d(n2, channels, f3, padding=f3 // 2)
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.extract(x))
        x = self.act(self.map(x))
        out: torch.Tensor = self.reconstruct(x)
        return out
