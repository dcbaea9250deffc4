"""The SRGAN discriminator.

Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a Generative
Adversarial Network", CVPR 2017, Figure 4 (discriminator network), following
Radford et al.'s DCGAN guidelines: conv3x3(64) + LeakyReLU(0.2), then seven
conv3x3 + BN + LeakyReLU(0.2) blocks with 64 (stride 2), 128, 128 (s2), 256,
256 (s2), 512, 512 (s2) maps, a dense layer of 1024 + LeakyReLU(0.2) and a dense
layer of 1. With 96x96 inputs this has exactly 23,565,505 parameters.

``forward`` returns logits, because the losses must use the numerically stable
``binary_cross_entropy_with_logits``; ``probability`` gives the paper's sigmoid output.
"""

from __future__ import annotations

import torch
from torch import nn

# (out_channels, stride) of the seven conv-BN-LeakyReLU blocks after the first conv.
BLOCKS = ((1, 2), (2, 1), (2, 2), (4, 1), (4, 2), (8, 1), (8, 2))


class Discriminator(nn.Module):
    """Classifies HR-sized images as real (logit > 0) or super-resolved.

    Args:
        in_channels: image channels (RGB: 3).
        num_features: maps of the first conv; the blocks use 1, 2, 4 and 8 times it (paper: 64).
        input_size: side of the square input (paper: 96); must be a multiple of 16,
            since the four strided convs each halve it before the dense layer.
    """

    def __init__(self, in_channels: int = 3, num_features: int = 64, input_size: int = 96) -> None:
        super().__init__()
        if input_size < 16 or input_size % 16:
            raise ValueError(
                f"Discriminator input_size must be a positive multiple of 16, got {input_size!r}"
            )
        self.arch_args = {
            "in_channels": in_channels,
            "num_features": num_features,
            "input_size": input_size,
        }
        self.input_size = input_size
        layers: list[nn.Module] = [
            nn.Conv2d(in_channels, num_features, 3, padding=1),
            nn.LeakyReLU(0.2),
        ]
        channels = num_features
        for multiple, stride in BLOCKS:
            out = num_features * multiple
            layers += [
                nn.Conv2d(channels, out, 3, stride=stride, padding=1),
                nn.BatchNorm2d(out),
                nn.LeakyReLU(0.2),
            ]
            channels = out
        self.features = nn.Sequential(*layers)
        side = input_size // 16
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(channels * side * side, 1024),
            nn.LeakyReLU(0.2),
            nn.Linear(1024, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, 1)."""
        if x.shape[-2:] != (self.input_size, self.input_size):
            raise ValueError(
                f"Discriminator expects {self.input_size}x{self.input_size} inputs, "
                f"got {tuple(x.shape[-2:])}"
            )
        out: torch.Tensor = self.classifier(self.features(x))
        return out

    def probability(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) of the paper: the probability that x is a real HR image."""
        return torch.sigmoid(self.forward(x))
