"""ESPCN, the efficient sub-pixel convolutional network.

Shi et al., "Real-Time Single Image and Video Super-Resolution Using an Efficient
Sub-Pixel Convolutional Neural Network", CVPR 2016: three layers on the LR image,
(f1, n1) = (5, 64), (f2, n2) = (3, 32), f3 = 3 with channels * r^2 outputs, tanh
activations, and a periodic shuffle (PixelShuffle) to the HR grid at the very end,
so every convolution runs at LR resolution.

The paper works on the Y channel (``channels=1``, the registry's default for the
``espcn`` method); ``channels=3`` gives an RGB variant. Inputs and outputs in [0, 1].
"""

from __future__ import annotations

import torch
from torch import nn


class ESPCN(nn.Module):
    """Sub-pixel CNN; defaults are the paper's 5-3-3 network with 64/32 filters at x4."""

    def __init__(
        self,
        scale: int = 4,
        channels: int = 1,
        n1: int = 64,
        n2: int = 32,
        f1: int = 5,
        f2: int = 3,
        f3: int = 3,
    ) -> None:
        super().__init__()
        if scale < 1:
            raise ValueError(f"ESPCN scale must be a positive integer, got {scale!r}")
        for name, size in (("f1", f1), ("f2", f2), ("f3", f3)):
            if size < 1 or size % 2 == 0:
                raise ValueError(f"ESPCN {name} must be an odd positive filter size, got {size!r}")
        self.arch_args = {
            "scale": scale, "channels": channels, "n1": n1, "n2": n2, "f1": f1, "f2": f2, "f3": f3,
        }  # fmt: skip
        self.scale = scale
        self.conv1 = nn.Conv2d(channels, n1, f1, padding=f1 // 2)
        self.conv2 = nn.Conv2d(n1, n2, f2, padding=f2 // 2)
        self.conv3 = nn.Conv2d(n2, channels * scale * scale, f3, padding=f3 // 2)
        self.act = nn.Tanh()
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.conv1(x))
        x = self.act(self.conv2(x))
        out: torch.Tensor = self.shuffle(self.conv3(x))
        return out
