"""The training losses of SRGAN and its baselines, as validated ``nn.Module`` objects.

Ledig et al., CVPR 2017, section 2.2: the generator minimises the perceptual loss
``l_SR = l_content + 1e-3 * l_adv`` where

- ``l_content`` is the pixel-wise MSE (SRResNet-MSE, SRGAN-MSE), or the MSE between
  VGG19 feature maps phi_2,2 / phi_5,4 of the super-resolved and the HR image, the maps
  rescaled by 1/12.75 first (so the VGG loss is comparable in size to the MSE);
- ``l_adv = -log D(G(LR))`` summed over the batch in the paper, averaged here (the
  mean only rescales the learning rate, and keeps the weight independent of the batch);
- SRResNet-VGG22 adds a total-variation term weighted 2e-8.

The discriminator minimises the usual binary cross-entropy, ``-log D(HR) - log(1 -
D(G(LR)))``. Both adversarial losses are computed from logits (``softplus``), which is
exact where ``log(sigmoid(x))`` underflows.

Images enter these losses in the generator's output range, the paper's [-1, 1] for HR
images; the VGG loss maps them to [0, 1] for the (ImageNet-normalising) feature extractor.
Every loss returns the *weighted* term, so a training log shows each term's contribution
to the total as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import nn

from srmodels.archs.vgg import LAYERS, VGG19Features

# The paper's phi_i,j names -> the extractor's layer names.
VGG_LAYERS = {"vgg22": "relu2_2", "vgg54": "relu5_4"}
VGG_RESCALE = 1.0 / 12.75
ADVERSARIAL_WEIGHT = 1e-3
TV_WEIGHT = 2e-8


def _weight(name: str, value: object) -> float:
    """A loss weight: a finite number >= 0 (bools are refused: they are flags, not weights)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def _check_pair(sr: torch.Tensor, hr: torch.Tensor, what: str) -> None:
    if sr.shape != hr.shape:
        raise ValueError(
            f"{what}: prediction and target shapes differ: {tuple(sr.shape)} vs {tuple(hr.shape)}"
        )


class PixelLoss(nn.Module):
    """``weight * mean((sr - hr)^2)``: the pixel-wise MSE content loss."""

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = _weight("PixelLoss weight", weight)

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        _check_pair(sr, hr, "PixelLoss")
        return self.weight * F.mse_loss(sr.float(), hr.float())


class VGGContentLoss(nn.Module):
    """``weight * mean((rescale * phi(sr) - rescale * phi(hr))^2)`` on one VGG19 layer.

    Args:
        layer: ``"vgg22"`` / ``"vgg54"`` (the paper's phi_2,2 and phi_5,4) or any layer name
            of :class:`~srmodels.archs.vgg.VGG19Features` (``"relu2_2"``, ...).
        weight: the term's weight in the generator loss (paper: 1).
        rescale: the factor applied to both feature maps (paper: 1/12.75).
        input_range: the value range of the images given to ``forward``; they are mapped
            to [0, 1] before the extractor normalises them with the ImageNet statistics.
        vgg: a ready extractor (tests pass one with random weights); otherwise one is built
            from ``vgg_weights`` (a torchvision ``vgg19-dcbb9e9d.pth``, or the
            ``SRMODELS_VGG19_WEIGHTS`` setting; see ``VGG19Features``).
    """

    def __init__(
        self,
        layer: str = "vgg54",
        *,
        weight: float = 1.0,
        rescale: float = VGG_RESCALE,
        input_range: tuple[float, float] = (-1.0, 1.0),
        vgg: VGG19Features | None = None,
        vgg_weights: str | None = None,
    ) -> None:
        super().__init__()
        name = VGG_LAYERS.get(layer, layer)
        if name not in LAYERS:
            raise ValueError(
                f"unknown VGG layer {layer!r}: use vgg22, vgg54 or a VGG19 layer name "
                f"({', '.join(sorted(LAYERS))})"
            )
        self.layer = name
        self.weight = _weight("VGGContentLoss weight", weight)
        self.rescale = _weight("VGGContentLoss rescale", rescale)
        if self.rescale == 0:
            raise ValueError("VGGContentLoss rescale must be > 0")
        low, high = (float(v) for v in input_range)
        if not high > low:
            raise ValueError(f"input_range must be (low, high) with high > low, got {input_range}")
        self.input_range = (low, high)
        if vgg is None:
            vgg = VGG19Features(layers=(name,), weights=vgg_weights)
        elif name not in vgg.layers:
            raise ValueError(f"the given VGG extractor does not return {name!r} ({vgg.layers})")
        self.vgg = vgg

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """The rescaled feature map of ``images`` (in ``input_range``)."""
        low, high = self.input_range
        unit = (images - low) / (high - low)
        maps: dict[str, torch.Tensor] = self.vgg(unit)
        return maps[self.layer] * self.rescale

    def forward(self, sr: torch.Tensor, hr: torch.Tensor) -> torch.Tensor:
        _check_pair(sr, hr, "VGGContentLoss")
        with torch.no_grad():
            target = self.features(hr)
        return self.weight * F.mse_loss(self.features(sr).float(), target.float())


class TVLoss(nn.Module):
    """Total variation ``weight * mean_n sum_{c,y,x} (dx^2 + dy^2)`` (paper: weight 2e-8).

    The paper gives only the weight; the squared-difference sum per image is Johnson et
    al.'s (and Aly & Dubois') regulariser that this weight was chosen for, taken here on
    the generator output in its own range and averaged over the batch.
    """

    def __init__(self, weight: float = TV_WEIGHT) -> None:
        super().__init__()
        self.weight = _weight("TVLoss weight", weight)

    def forward(self, sr: torch.Tensor) -> torch.Tensor:
        if sr.ndim != 4:
            raise ValueError(f"TVLoss expects an NCHW batch, got shape {tuple(sr.shape)}")
        sr = sr.float()
        dy = (sr[:, :, 1:, :] - sr[:, :, :-1, :]).pow(2).sum(dim=(1, 2, 3))
        dx = (sr[:, :, :, 1:] - sr[:, :, :, :-1]).pow(2).sum(dim=(1, 2, 3))
        return self.weight * (dx + dy).mean()


class GeneratorAdversarialLoss(nn.Module):
    """``weight * mean(-log D(G(x)))`` from the discriminator's logits (paper: 1e-3)."""

    def __init__(self, weight: float = ADVERSARIAL_WEIGHT) -> None:
        super().__init__()
        self.weight = _weight("GeneratorAdversarialLoss weight", weight)

    def forward(self, fake_logits: torch.Tensor) -> torch.Tensor:
        # -log(sigmoid(z)) = softplus(-z), exact for any z.
        return self.weight * F.softplus(-fake_logits.float()).mean()


class DiscriminatorLoss(nn.Module):
    """Binary cross-entropy from logits: real HR images -> 1, generated images -> 0.

    ``forward`` returns the two terms separately (``real``: ``mean(-log D(HR))``,
    ``fake``: ``mean(-log(1 - D(G(x))))``); the discriminator minimises their sum, and
    BasicSR's SRGAN model back-propagates them one after the other, as the trainer does.
    """

    def __init__(self, weight: float = 1.0) -> None:
        super().__init__()
        self.weight = _weight("DiscriminatorLoss weight", weight)

    def real(self, real_logits: torch.Tensor) -> torch.Tensor:
        return self.weight * F.softplus(-real_logits.float()).mean()

    def fake(self, fake_logits: torch.Tensor) -> torch.Tensor:
        # -log(1 - sigmoid(z)) = softplus(z).
        return self.weight * F.softplus(fake_logits.float()).mean()

    def forward(
        self, real_logits: torch.Tensor, fake_logits: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        return {"d_real": self.real(real_logits), "d_fake": self.fake(fake_logits)}


class PerceptualLoss(nn.Module):
    """The generator's loss: content (+ TV) (+ adversarial), with every term reported.

    ``forward(sr, hr, fake_logits)`` returns ``(total, terms)`` where ``terms`` maps
    ``"content"``, ``"tv"`` and ``"adv"`` (those configured) to their weighted values, so
    ``total == sum(terms.values())``. ``fake_logits`` is D's output on ``sr`` and is
    required exactly when an adversarial term is configured.
    """

    def __init__(
        self,
        content: nn.Module,
        *,
        adversarial: GeneratorAdversarialLoss | None = None,
        tv: TVLoss | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(content, PixelLoss | VGGContentLoss):
            raise TypeError(f"content must be a PixelLoss or VGGContentLoss, got {content!r}")
        self.content = content
        self.adversarial = adversarial
        self.tv = tv

    @property
    def term_names(self) -> tuple[str, ...]:
        names = ["content"]
        if self.tv is not None:
            names.append("tv")
        if self.adversarial is not None:
            names.append("adv")
        return tuple(names)

    def forward(
        self, sr: torch.Tensor, hr: torch.Tensor, fake_logits: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, Mapping[str, torch.Tensor]]:
        terms = {"content": self.content(sr, hr)}
        if self.tv is not None:
            terms["tv"] = self.tv(sr)
        if self.adversarial is not None:
            if fake_logits is None:
                raise ValueError("PerceptualLoss has an adversarial term: pass fake_logits")
            terms["adv"] = self.adversarial(fake_logits)
        elif fake_logits is not None:
            raise ValueError("PerceptualLoss has no adversarial term but got fake_logits")
        total = terms["content"]
        for name in self.term_names[1:]:
            total = total + terms[name]
        return total, terms


class RecursiveSupervisionLoss(nn.Module):
    """DRCN's loss (Kim et al. 2016, eq. 8) without the weight decay (the optimiser's):
    ``alpha * mean_d MSE(y_d, hr) + (1 - alpha) * MSE(output, hr)``.

    ``alpha`` falls from 1 to 0 during training (the recipe's ``supervision_decay``):
    first every recursion learns to predict the target, then the ensemble output.
    ``forward`` returns ``(total, {"content": ..., "supervision": ...})``, weighted.
    """

    def forward(
        self,
        output: torch.Tensor,
        intermediates: list[torch.Tensor],
        hr: torch.Tensor,
        alpha: float,
    ) -> tuple[torch.Tensor, Mapping[str, torch.Tensor]]:
        alpha = float(alpha)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        if not intermediates:
            raise ValueError("RecursiveSupervisionLoss needs the intermediate predictions")
        _check_pair(output, hr, "RecursiveSupervisionLoss")
        hr = hr.float()
        supervision = torch.stack([F.mse_loss(y.float(), hr) for y in intermediates]).mean()
        terms = {
            "content": (1.0 - alpha) * F.mse_loss(output.float(), hr),
            "supervision": alpha * supervision,
        }
        return terms["content"] + terms["supervision"], terms
