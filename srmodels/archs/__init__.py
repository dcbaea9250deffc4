"""The networks, one per file, and a name -> class table for weights files and the registry.

``build_arch(name, **arch_args)`` is how a weights file's ``{"arch", "arch_args"}`` turns
back into a module; every network records its constructor arguments in ``arch_args``.
"""

from __future__ import annotations

from torch import nn

from srmodels.archs.discriminator import Discriminator
from srmodels.archs.drcn import DRCN
from srmodels.archs.espcn import ESPCN
from srmodels.archs.srcnn import SRCNN
from srmodels.archs.srresnet import SRResNet
from srmodels.archs.vgg import VGG19Features

ARCHS: dict[str, type[nn.Module]] = {
    "srresnet": SRResNet,
    "discriminator": Discriminator,
    "srcnn": SRCNN,
    "espcn": ESPCN,
    "drcn": DRCN,
}

__all__ = [
    "ARCHS",
    "DRCN",
    "ESPCN",
    "SRCNN",
    "Discriminator",
    "SRResNet",
    "VGG19Features",
    "arch_name",
    "build_arch",
]


def build_arch(name: str, **arch_args: object) -> nn.Module:
    """Instantiate the network ``name`` with ``arch_args``; clear errors for bad names/args."""
    try:
        cls = ARCHS[name]
    except KeyError:
        raise ValueError(f"unknown architecture {name!r}; known: {', '.join(ARCHS)}") from None
    try:
        return cls(**arch_args)
    except TypeError as exc:
        raise ValueError(f"bad arguments for architecture {name!r} {arch_args}: {exc}") from exc


def arch_name(model: nn.Module) -> str:
    """The ``ARCHS`` name of a model instance (unwrapping ``torch.compile``)."""
    model = getattr(model, "_orig_mod", model)
    for name, cls in ARCHS.items():
        if type(model) is cls:
            return name
    raise ValueError(f"{type(model).__name__} is not one of the registered architectures")
