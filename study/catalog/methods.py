"""What a method key means: its label and kind, from the srmodels registry when it knows the key.

This module is the single place where a name given on the command line or in a
study file becomes a :class:`~study.catalog.models.Method` description, so that
``import_dataset``, ``import_outputs``, generation and study files all agree on
which methods are models, interpolations, the HR reference or external results.
It reads nothing from the database (see ``services.ensure_method`` for that).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# The HR reference: every dataset has it, as the dataset's own HR image.
HR_KEY = "hr"

# Used while srmodels.registry is not importable (and to document the paper's
# labels): registry key -> (label, kind).
FALLBACK_REGISTRY: dict[str, tuple[str, str]] = {
    "nearest": ("NN", "interpolation"),
    "bicubic": ("Bicubic", "interpolation"),
    "srcnn": ("SRCNN", "model"),
    "espcn": ("ESPCN", "model"),
    "drcn": ("DRCN", "model"),
    "srresnet-mse": ("SRResNet", "model"),
    "srresnet-vgg22": ("SRResNet-VGG22", "model"),
    "srgan-mse": ("SRGAN-MSE", "model"),
    "srgan-vgg22": ("SRGAN-VGG22", "model"),
    "srgan-vgg54": ("SRGAN", "model"),
}

# Published results the platform knows by name although no registry model makes
# them (the paper compares against them): key -> label.
KNOWN_EXTERNAL: dict[str, str] = {"selfexsr": "SelfExSR"}

# Lowercase, starts with a letter or digit: safe in storage paths and URLs.
_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class MethodKeyError(ValueError):
    """A method name that cannot be a method key (bad characters, too long)."""


@dataclass(frozen=True)
class MethodInfo:
    key: str
    label: str
    kind: str  # one of Method.Kind's values

    @property
    def is_external(self) -> bool:
        return self.kind == "external"


def normalise_key(name: str) -> str:
    """The method key for ``name``: lowercased (``SRCNN`` and ``srcnn`` are one method)."""
    key = str(name).strip().lower()
    if not _KEY_RE.match(key):
        raise MethodKeyError(
            f"invalid method name {name!r}: use 1-64 characters a-z, 0-9, '.', '_', '-' "
            "starting with a letter or digit"
        )
    return key


def registry_methods() -> dict[str, tuple[str, str]]:
    """Registry key -> (label, kind), from srmodels.registry when it is importable."""
    try:
        from srmodels import registry
    except ImportError:
        return dict(FALLBACK_REGISTRY)
    try:
        table = getattr(registry, "METHODS", None)
        if isinstance(table, Mapping):
            specs = list(table.values())
        else:
            specs = [getattr(item, "spec", item) for item in registry.list_methods()]
        found = {spec.key: (spec.label, spec.kind) for spec in specs}
    except Exception:
        # A registry that cannot list itself must not make the catalog unusable.
        return dict(FALLBACK_REGISTRY)
    return found or dict(FALLBACK_REGISTRY)


def describe(name: str) -> MethodInfo:
    """What ``name`` is: the HR reference, a registry method, or an external result."""
    key = normalise_key(name)
    if key == HR_KEY:
        return MethodInfo(key=key, label="HR", kind="reference")
    registry = registry_methods()
    if key in registry:
        label, kind = registry[key]
        return MethodInfo(key=key, label=label, kind=kind)
    return MethodInfo(key=key, label=KNOWN_EXTERNAL.get(key, key), kind="external")


def is_known_name(key: str) -> bool:
    """True for the keys every installation knows without any Method row: HR, registry, SelfExSR."""
    return key == HR_KEY or key in registry_methods() or key in KNOWN_EXTERNAL
