"""DRCN, the deeply-recursive convolutional network.

Kim, Lee & Lee, "Deeply-Recursive Convolutional Network for Image
Super-Resolution", CVPR 2016. An embedding net (two conv3x3 + ReLU), an inference net
of ONE conv3x3 + ReLU applied D times with shared weights (paper: D = 16, 256 maps), and
a reconstruction net (two conv3x3, shared across recursions) that turns every
intermediate state H_d into a prediction y_d = recon(H_d) + x (skip from the input).
The output is the learnable weighted sum sum_d w_d y_d (w initialised to 1/D).
Recursive supervision trains every y_d towards the target as well, so ``forward`` can
return the intermediate predictions for the loss.

Like SRCNN it works on the Y channel of the bicubic-upsampled image in [0, 1]: the
output has the input's size and the scale lives outside the network.
"""

from __future__ import annotations

import torch
from torch import nn


class DRCN(nn.Module):
    """DRCN; defaults are the paper's (256 maps, 16 recursions, Y channel).

    Args:
        num_features: maps in every hidden layer (paper: 256).
        recursions: D, applications of the shared inference layer (paper: 16;
            smaller values train faster).
        channels: image channels (Y: 1).
    """

    def __init__(self, num_features: int = 256, recursions: int = 16, channels: int = 1) -> None:
        super().__init__()
        if recursions < 1:
            raise ValueError(f"DRCN recursions must be >= 1, got {recursions!r}")
        self.arch_args = {
            "num_features": num_features,
            "recursions": recursions,
            "channels": channels,
        }
        self.recursions = recursions
        self.embed = nn.Sequential(
            nn.Conv2d(channels, num_features, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(num_features, num_features, 3, padding=1),
            nn.ReLU(),
        )
        self.infer = nn.Sequential(nn.Conv2d(num_features, num_features, 3, padding=1), nn.ReLU())
        self.reconstruct = nn.Sequential(
            nn.Conv2d(num_features, num_features, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(num_features, channels, 3, padding=1),
        )
        self.ensemble = nn.Parameter(torch.full((recursions,), 1.0 / recursions))

    def forward(
        self, x: torch.Tensor, *, intermediates: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, list[torch.Tensor]]:
        """The final prediction; with ``intermediates=True`` also the D predictions y_d."""
        state = self.embed(x)
        predictions: list[torch.Tensor] = []
        for _ in range(self.recursions):
            state = self.infer(state)
            predictions.append(self.reconstruct(state) + x)
        output = torch.einsum("d,dnchw->nchw", self.ensemble, torch.stack(predictions))
        if intermediates:
            return output, predictions
        return output
