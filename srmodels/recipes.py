"""Training recipes: the paper's models and the baselines, each a named set of numbers.

A :class:`Recipe` says which registry method it trains (so the architecture, the way the
network is applied and its output range come from :mod:`srmodels.registry`, exactly as
inference will use them), which losses, and every optimisation number. The defaults are
the paper's (Ledig et al., CVPR 2017, section 3.2):

- SRResNet (``srresnet-mse``, ``srresnet-vgg22``): Adam with beta1 = 0.9, lr 1e-4,
  10^6 updates of 16 random 96x96 HR crops;
- SRGAN (``srgan-mse``, ``srgan-vgg22``, ``srgan-vgg54``): initialised from an
  SRResNet-MSE, 10^5 updates at lr 1e-4 then 10^5 at 1e-5, G and D alternating (k = 1),
  perceptual loss = content + 1e-3 adversarial;
- SRResNet-VGG22 adds a 2e-8 total-variation term.

The baselines (``srcnn``, ``espcn``, ``drcn``) keep their papers' architectures but are
trained with Adam at a larger learning rate than their papers' SGD, on the crop sizes
their papers used (rounded to a multiple of the scale); their defaults are the numbers
the shipped weights were trained with, so ``train --recipe srcnn`` reproduces them.

Every field can be overridden (``Recipe.override``), from the CLI with the dedicated
flags or ``--set FIELD=VALUE`` (``--set arch.num_blocks=4`` for architecture arguments).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from srmodels.losses import ADVERSARIAL_WEIGHT, TV_WEIGHT, VGG_LAYERS, VGG_RESCALE
from srmodels.registry import MethodSpec, get_method
from srmodels.typedefs import JSONDict

CONTENT_LOSSES = ("mse", *VGG_LAYERS)


class RecipeError(ValueError):
    """An unknown recipe or a recipe field with a bad value; the message names both."""


@dataclass(frozen=True)
class Recipe:
    """Everything that decides what a training run computes (not where or how fast).

    Attributes:
        name: the recipe's name (``srgan-vgg54``, ...).
        method: the registry key whose weights this trains (``--export`` writes them).
        content: ``mse`` (pixel MSE) or ``vgg22`` / ``vgg54`` (VGG19 phi_2,2 / phi_5,4).
        adv_weight: weight of ``-log D(G(x))``; > 0 makes it a GAN with a discriminator.
        tv_weight: weight of the total-variation term (0: none).
        vgg_rescale: factor on the VGG feature maps before their MSE (paper: 1/12.75).
        arch_args: generator arguments overriding the registry's defaults.
        disc_args: discriminator arguments (its ``input_size`` is always the crop).
        iters: optimiser updates (of G; D gets the same number).
        batch_size, crop: crops per batch, each from a distinct image; HR crop side.
        lr: initial learning rate of G (and of D unless ``d_lr`` is set).
        lr_milestones: fractions of ``iters`` where the lr is multiplied by ``lr_gamma``.
        beta1, beta2, weight_decay: Adam's.
        augment: random flips and 90-degree rotations of the crops (paper: none).
        needs_init: the paper starts this recipe from an SRResNet-MSE (``--init``).
        supervision_decay: DRCN only: fraction of ``iters`` over which the weight of the
            recursive supervision (the mean loss of the D intermediate predictions) falls
            linearly from 1 to 0 while the final output's weight rises from 0 to 1.
        description: one line for ``--help`` and the weights JSON.
    """

    name: str
    method: str
    content: str = "mse"
    adv_weight: float = 0.0
    tv_weight: float = 0.0
    vgg_rescale: float = VGG_RESCALE
    arch_args: Mapping[str, object] = field(default_factory=dict)
    disc_args: Mapping[str, object] = field(default_factory=lambda: {"num_features": 64})
    iters: int = 1_000_000
    batch_size: int = 16
    crop: int = 96
    lr: float = 1e-4
    d_lr: float | None = None
    lr_milestones: tuple[float, ...] = ()
    lr_gamma: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.999
    weight_decay: float = 0.0
    augment: bool = False
    needs_init: bool = False
    supervision_decay: float = 0.0
    description: str = ""

    def __post_init__(self) -> None:
        spec = get_method(self.method)
        if not spec.needs_weights:
            raise RecipeError(f"recipe {self.name}: method {self.method!r} has no network")
        if self.content not in CONTENT_LOSSES:
            raise RecipeError(
                f"recipe {self.name}: content must be one of {', '.join(CONTENT_LOSSES)}, "
                f"got {self.content!r}"
            )
        for name in ("iters", "batch_size", "crop"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise RecipeError(
                    f"recipe {self.name}: {name} must be an integer >= 1, got {value!r}"
                )
        for name in (
            "adv_weight",
            "tv_weight",
            "vgg_rescale",
            "lr",
            "lr_gamma",
            "weight_decay",
            "supervision_decay",
        ):
            _number(self, name, getattr(self, name))
        if self.d_lr is not None:
            _number(self, "d_lr", self.d_lr)
        for name in ("beta1", "beta2"):
            if not 0 <= _number(self, name, getattr(self, name)) < 1:
                raise RecipeError(f"recipe {self.name}: {name} must be in [0, 1)")
        if self.supervision_decay > 1:
            raise RecipeError(f"recipe {self.name}: supervision_decay is a fraction (0..1)")
        if any(not 0 < m <= 1 for m in self.lr_milestones):
            raise RecipeError(
                f"recipe {self.name}: lr_milestones are fractions of iters in (0, 1], "
                f"got {self.lr_milestones}"
            )
        scale = self.scale
        if self.crop % scale:
            raise RecipeError(
                f"recipe {self.name}: crop {self.crop} must be a multiple of the scale {scale}"
            )
        if self.gan and self.crop % 16:
            raise RecipeError(
                f"recipe {self.name}: the discriminator needs a crop that is a multiple of 16, "
                f"got {self.crop}"
            )
        if self.supervision_decay and spec.arch != "drcn":
            raise RecipeError(f"recipe {self.name}: supervision_decay applies to DRCN only")
        if self.content != "mse" and spec.apply != "rgb":
            raise RecipeError(f"recipe {self.name}: a VGG loss needs an RGB network")

    # -- derived ---------------------------------------------------------------------

    @property
    def spec(self) -> MethodSpec:
        """The registry spec of the method trained."""
        return get_method(self.method)

    @property
    def arch(self) -> str:
        return str(self.spec.arch)

    @property
    def generator_args(self) -> dict[str, object]:
        """Registry defaults with this recipe's ``arch_args`` on top."""
        return {**dict(self.spec.arch_args), **dict(self.arch_args)}

    @property
    def scale(self) -> int:
        """The super-resolution factor (recipes train x4 unless ``arch.scale`` says else)."""
        return int(cast(int, self.generator_args.get("scale", 4)))

    @property
    def gan(self) -> bool:
        return self.adv_weight > 0

    def lr_at(self, step: int, base: float | None = None) -> float:
        """Learning rate for update ``step`` (0-based): ``base * gamma^(milestones passed)``."""
        base = self.lr if base is None else base
        passed = sum(step >= round(m * self.iters) for m in self.lr_milestones)
        return base * self.lr_gamma**passed

    def supervision_alpha(self, step: int) -> float:
        """DRCN's weight on the intermediate predictions at update ``step`` (1 -> 0)."""
        if not self.supervision_decay:
            return 0.0
        horizon = self.supervision_decay * self.iters
        return max(0.0, 1.0 - step / horizon)

    def to_dict(self) -> JSONDict:
        data = dataclasses.asdict(self)
        data["arch_args"] = dict(self.arch_args)
        data["disc_args"] = dict(self.disc_args)
        data["lr_milestones"] = list(self.lr_milestones)
        return data

    @classmethod
    def from_dict(cls, data: JSONDict) -> Recipe:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RecipeError(f"unknown recipe field(s) {', '.join(unknown)}")
        values = dict(data)
        if "lr_milestones" in values:
            values["lr_milestones"] = tuple(values["lr_milestones"])
        return cls(**values)

    def override(self, **changes: object) -> Recipe:
        """A copy with ``changes``; ``arch.X`` / ``disc.X`` keys set one argument each.

        String values (from the command line) are parsed by the field's type: numbers,
        ``true``/``false``, comma-separated fractions for ``lr_milestones``.
        """
        data = self.to_dict()
        fields = {f.name: f for f in dataclasses.fields(self)}
        for key, value in changes.items():
            if key.startswith(("arch.", "disc.")):
                group, _, arg = key.partition(".")
                target = "arch_args" if group == "arch" else "disc_args"
                data[target] = {**data[target], arg: _parse_literal(value)}
                continue
            if key not in fields or key in ("name", "method"):
                settable = sorted(set(fields) - {"name", "method", "arch_args", "disc_args"})
                raise RecipeError(
                    f"recipe {self.name} has no settable field {key!r}; fields: "
                    f"{', '.join(settable)}, arch.ARG, disc.ARG"
                )
            data[key] = _parse_field(self.name, key, fields[key].type, value)
        return Recipe.from_dict(data)


def _number(recipe: Recipe, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecipeError(f"recipe {recipe.name}: {name} must be a number, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise RecipeError(f"recipe {recipe.name}: {name} must be finite and >= 0, got {value!r}")
    return float(value)


def _parse_literal(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value.lower() if value.lower() in ("true", "false") else value)
    except json.JSONDecodeError:
        return value


def _parse_field(recipe: str, key: str, kind: object, value: object) -> object:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if key == "lr_milestones":
            return tuple(float(part) for part in text.split(",") if part.strip())
        if kind == "bool":
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if kind == "int":
            return int(text)
        if kind in ("float", "float | None"):
            return None if text.lower() == "none" else float(text)
    except ValueError:
        raise RecipeError(f"recipe {recipe}: bad value {value!r} for {key} ({kind})") from None
    return text


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in (
        Recipe(
            name="srresnet-mse",
            method="srresnet-mse",
            description="SRResNet, pixel MSE, 1e6 updates at lr 1e-4",
        ),
        Recipe(
            name="srresnet-vgg22",
            method="srresnet-vgg22",
            content="vgg22",
            tv_weight=TV_WEIGHT,
            description="SRResNet, VGG19 phi_2,2 loss (/12.75) + 2e-8 TV, 1e6 updates",
        ),
        *(
            Recipe(
                name=f"srgan-{content}",
                method=f"srgan-{content}",
                content=content,
                adv_weight=ADVERSARIAL_WEIGHT,
                iters=200_000,
                lr_milestones=(0.5,),
                needs_init=True,
                description=(
                    f"SRGAN from SRResNet-MSE, {label} + 1e-3 adversarial, "
                    "1e5 updates at 1e-4 then 1e5 at 1e-5"
                ),
            )
            for content, label in (
                ("mse", "pixel MSE"),
                ("vgg22", "VGG19 phi_2,2 loss"),
                ("vgg54", "VGG19 phi_5,4 loss"),
            )
        ),
        Recipe(
            name="srcnn",
            method="srcnn",
            iters=6_000,
            batch_size=64,
            crop=32,
            lr=1e-3,
            lr_milestones=(0.7,),
            augment=True,
            description="SRCNN 9-1-5 on Y of the bicubic image, Adam (paper: SGD 1e-4)",
        ),
        Recipe(
            name="espcn",
            method="espcn",
            iters=8_000,
            batch_size=64,
            crop=68,
            lr=1e-3,
            lr_milestones=(0.7,),
            augment=True,
            description="ESPCN on Y, 17x17 LR crops, Adam (paper: SGD 1e-2 -> 1e-4)",
        ),
        Recipe(
            name="drcn",
            method="drcn",
            iters=100_000,
            batch_size=64,
            crop=40,
            lr=1e-4,
            lr_milestones=(0.5, 0.8),
            weight_decay=1e-4,
            supervision_decay=0.25,
            augment=True,
            description="DRCN with recursive supervision on Y of the bicubic image, Adam",
        ),
    )
}


def get_recipe(name: str) -> Recipe:
    """The recipe ``name``; an unknown name raises RecipeError listing the known ones."""
    try:
        return RECIPES[name]
    except KeyError:
        raise RecipeError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None
