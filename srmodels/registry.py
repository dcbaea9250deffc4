"""Method registry: every image-producing method the studies compare, by key.

A method is either an interpolation (``nearest``, ``bicubic``: no weights) or a
network with trained weights. Each spec says which architecture and default
arguments it uses, the value ranges the network expects and produces, and how it is
applied to an image:

- ``rgb``: the network maps the LR RGB image to the HR RGB image (SRResNet, SRGAN).
- ``y-upsampled``: MATLAB-bicubic-upsample the LR image, convert to YCbCr (MATLAB
  ``rgb2ycbcr``), run the network on Y / 255, and recombine with the bicubic CbCr
  (SRCNN, DRCN, as in their papers).
- ``y-lr``: the network maps Y / 255 of the LR image to the HR Y; CbCr is bicubic
  (ESPCN, as in Shi et al.).

Weights for method ``key`` are the file ``<key>.safetensors`` (+ ``<key>.json``),
searched in this order: an explicit path, each folder of ``SRMODELS_WEIGHTS_DIR``
(``os.pathsep``-separated), then the folder shipped with the package
(``srmodels/weights/``). The labels are the paper's Table 1/2 headers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

SHIPPED_WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
WEIGHTS_DIR_ENV = "SRMODELS_WEIGHTS_DIR"

Kind = Literal["interpolation", "model"]
Apply = Literal["interpolation", "rgb", "y-upsampled", "y-lr"]


class UnknownMethodError(LookupError):
    """A method key that the registry does not know."""


class MissingWeightsError(FileNotFoundError):
    """A model method whose weights file cannot be found; the message says how to get it."""


@dataclass(frozen=True)
class MethodSpec:
    """What a method is and how the engine applies it."""

    key: str
    label: str
    kind: Kind
    apply: Apply
    description: str
    arch: str | None = None
    arch_args: MappingProxyType[str, object] = field(default_factory=lambda: MappingProxyType({}))
    input_range: tuple[float, float] = (0.0, 1.0)
    output_range: tuple[float, float] = (0.0, 1.0)
    # Why ``precision="auto"`` keeps this method in fp32 (its bf16 outputs missed the
    # 0.03 dB PSNR agreement with fp32, docs/PERFORMANCE.md); None: auto may use bf16.
    fp32_pin: str | None = None

    @property
    def needs_weights(self) -> bool:
        return self.kind == "model"

    @property
    def weights_file(self) -> str | None:
        """File name of this method's weights in a weights folder."""
        return f"{self.key}.safetensors" if self.needs_weights else None

    @property
    def model_scale(self) -> int | None:
        """Output/input size ratio of the network itself, given the requested scale.

        None means "the requested scale" (the network upsamples); 1 means the network
        works at HR size on a pre-upsampled input.
        """
        return 1 if self.apply == "y-upsampled" else None


def _model(
    key: str,
    label: str,
    *,
    arch: str,
    apply: Apply,
    description: str,
    output_range: tuple[float, float] = (0.0, 1.0),
    **arch_args: object,
) -> MethodSpec:
    return MethodSpec(
        key=key,
        label=label,
        kind="model",
        apply=apply,
        description=description,
        arch=arch,
        arch_args=MappingProxyType(arch_args),
        output_range=output_range,
    )


METHODS: dict[str, MethodSpec] = {
    spec.key: spec
    for spec in (
        MethodSpec(
            key="nearest",
            label="NN",
            kind="interpolation",
            apply="interpolation",
            description="nearest-neighbour upscaling (MATLAB imresize 'nearest')",
        ),
        MethodSpec(
            key="bicubic",
            label="Bicubic",
            kind="interpolation",
            apply="interpolation",
            description="MATLAB imresize bicubic",
        ),
        _model(
            "srcnn",
            "SRCNN",
            arch="srcnn",
            apply="y-upsampled",
            description="SRCNN 9-1-5 (Dong et al. 2014) on Y of the bicubic image",
            f1=9,
            f2=1,
            f3=5,
            n1=64,
            n2=32,
            channels=1,
        ),
        _model(
            "espcn",
            "ESPCN",
            arch="espcn",
            apply="y-lr",
            description="ESPCN sub-pixel CNN (Shi et al. 2016) on Y",
            scale=4,
            channels=1,
        ),
        _model(
            "drcn",
            "DRCN",
            arch="drcn",
            apply="y-upsampled",
            description="DRCN recursive CNN (Kim et al. 2016) on Y of the bicubic image",
            num_features=256,
            recursions=16,
            channels=1,
        ),
        *(
            _model(
                key,
                label,
                arch="srresnet",
                apply="rgb",
                description=description,
                output_range=(-1.0, 1.0),
                num_features=64,
                num_blocks=16,
                scale=4,
            )
            for key, label, description in (
                ("srresnet-mse", "SRResNet", "SRResNet trained on pixel MSE"),
                ("srresnet-vgg22", "SRResNet-VGG22", "SRResNet on VGG phi_2,2 loss + TV"),
                ("srgan-mse", "SRGAN-MSE", "SRGAN with MSE content loss"),
                ("srgan-vgg22", "SRGAN-VGG22", "SRGAN with VGG phi_2,2 content loss"),
                ("srgan-vgg54", "SRGAN", "SRGAN with VGG phi_5,4 content loss (the paper's)"),
            )
        ),
    )
}


def get_method(key: str) -> MethodSpec:
    """The spec of ``key``; an unknown key raises an error listing the known ones."""
    try:
        return METHODS[key]
    except (KeyError, TypeError):
        raise UnknownMethodError(
            f"unknown method {key!r}; known methods: {', '.join(METHODS)}"
        ) from None


def weights_dirs() -> list[Path]:
    """Folders searched for ``<key>.safetensors``: ``SRMODELS_WEIGHTS_DIR``, then shipped."""
    env = os.environ.get(WEIGHTS_DIR_ENV, "")
    dirs = [Path(part).expanduser() for part in env.split(os.pathsep) if part.strip()]
    return [*dirs, SHIPPED_WEIGHTS_DIR]


def find_weights(key: str, weights: str | os.PathLike[str] | None = None) -> Path | None:
    """The weights file of method ``key`` (None for interpolation methods).

    ``weights`` is an explicit file (``--weights PATH``) that takes precedence over the
    search path. Raises MissingWeightsError, whose message names the method, every
    path tried and how to train or supply the weights.
    """
    spec = get_method(key)
    if not spec.needs_weights:
        if weights is not None:
            raise ValueError(f"method {key!r} is an interpolation and takes no weights file")
        return None
    if weights is not None:
        path = Path(weights).expanduser()
        if path.suffix == ".json":
            path = path.with_suffix(".safetensors")
        if path.is_file():
            return path
        raise MissingWeightsError(
            f"weights file {path} for method {key!r} ({spec.label}) does not exist"
        )
    candidates = [folder / str(spec.weights_file) for folder in weights_dirs()]
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(str(path) for path in candidates)
    raise MissingWeightsError(
        f"no weights for method {key!r} ({spec.label}): looked for {tried}. "
        f"Train them with `python -m srmodels train --recipe {key} ... --export`, "
        f"or supply a file with `--weights PATH` or a folder holding {spec.weights_file} "
        f"with the {WEIGHTS_DIR_ENV} environment variable."
    )


@dataclass(frozen=True)
class MethodStatus:
    """A method and where its weights are (None: missing, or none needed)."""

    spec: MethodSpec
    weights_path: Path | None

    @property
    def available(self) -> bool:
        """Whether the method can run now: interpolations always, models with weights."""
        return not self.spec.needs_weights or self.weights_path is not None


def list_methods() -> list[MethodStatus]:
    """Every method in the paper's order, with whether its weights are present."""
    statuses = []
    for key, spec in METHODS.items():
        path = None
        if spec.needs_weights:
            try:
                path = find_weights(key)
            except MissingWeightsError:
                path = None
        statuses.append(MethodStatus(spec=spec, weights_path=path))
    return statuses
