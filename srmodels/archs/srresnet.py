"""SRResNet, the generator of SRGAN.

Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative
Adversarial Network", CVPR 2017, Figure 4 (generator network). Defaults are the
paper's: 64 feature maps, B = 16 residual blocks, x4 with two sub-pixel x2 stages,
one PReLU parameter per activation. At x4 this has exactly 1,549,462 parameters.

Input: LR RGB in [0, 1]. Output: HR RGB in the paper's HR scaling [-1, 1]. There is
no final tanh: the paper does not draw one and the parameter count does not need one;
the engine clamps and converts, and training uses the raw output (an MSE target in
[-1, 1] keeps it in range).
"""

from __future__ import annotations

import torch
from torch import nn

SCALES = (2, 3, 4)


class ResidualBlock(nn.Module):
    """conv3x3-BN-PReLU-conv3x3-BN plus the identity, as in He et al. / Gross & Wilber."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_features, num_features, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(num_features)
        self.act = nn.PReLU()
        self.conv2 = nn.Conv2d(num_features, num_features, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(num_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.act(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return x + out


class UpsampleStage(nn.Module):
    """conv3x3 to r^2 F channels, PixelShuffle(r), PReLU: one sub-pixel stage (Shi et al.)."""

    def __init__(self, num_features: int, factor: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(num_features, num_features * factor * factor, 3, padding=1)
        self.shuffle = nn.PixelShuffle(factor)
        self.act = nn.PReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.act(self.shuffle(self.conv(x)))
        return out


class SRResNet(nn.Module):
    """The SRGAN generator; the paper's x4 network with the defaults.

    Args:
        num_features: feature maps in every body layer (paper: 64).
        num_blocks: residual blocks B (paper: 16).
        scale: 2 or 4 (one or two x2 sub-pixel stages) or 3 (one x3 stage).
        in_channels, out_channels: image channels (RGB: 3).
    """

    def __init__(
        self,
        num_features: int = 64,
        num_blocks: int = 16,
        scale: int = 4,
        in_channels: int = 3,
        out_channels: int = 3,
    ) -> None:
        super().__init__()
        if scale not in SCALES:
            raise ValueError(f"SRResNet scale must be one of {SCALES}, got {scale!r}")
        if num_blocks < 1 or num_features < 1:
            raise ValueError(
                f"SRResNet needs num_blocks >= 1 and num_features >= 1, "
                f"got num_blocks={num_blocks!r}, num_features={num_features!r}"
            )
        self.arch_args = {
            "num_features": num_features,
            "num_blocks": num_blocks,
            "scale": scale,
            "in_channels": in_channels,
            "out_channels": out_channels,
        }
        self.scale = scale
        self.head = nn.Conv2d(in_channels, num_features, 9, padding=4)
        self.head_act = nn.PReLU()
        self.body = nn.Sequential(*(ResidualBlock(num_features) for _ in range(num_blocks)))
        self.body_conv = nn.Conv2d(num_features, num_features, 3, padding=1)
        self.body_bn = nn.BatchNorm2d(num_features)
        factors = [3] if scale == 3 else [2] * (scale // 2)
        self.upsample = nn.Sequential(*(UpsampleStage(num_features, f) for f in factors))
        self.tail = nn.Conv2d(num_features, out_channels, 9, padding=4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        head = self.head_act(self.head(x))
        body = self.body_bn(self.body_conv(self.body(head)))
        out: torch.Tensor = self.tail(self.upsample(head + body))
        return out
