"""What a method key means: its label and kind, from the srmodels registry when it knows the key.

This module is the single place where a name given on the command line or in a
study file becomes a :class:`~study.catalog.models.Method` description, so that
``import_dataset``, ``import_outputs``, generation and study files all agree on
which methods are models, interpolations, the HR reference or external results.
It reads nothing from the database (see ``services.ensure_method`` for that).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from srmodels.registry import METHODS

# The HR reference: every dataset has it, as the dataset's own HR image.
HR_KEY = "hr"

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


def describe(name: str) -> MethodInfo:
    """What ``name`` is: the HR reference, a registry method, or an external result."""
    key = normalise_key(name)
    if key == HR_KEY:
        return MethodInfo(key=key, label="HR", kind="reference")
    spec = METHODS.get(key)
    if spec is not None:
        return MethodInfo(key=key, label=spec.label, kind=spec.kind)
    return MethodInfo(key=key, label=KNOWN_EXTERNAL.get(key, key), kind="external")


def is_known_name(key: str) -> bool:
    """True for the keys every installation knows without any Method row: HR, registry, SelfExSR."""
    return key == HR_KEY or key in METHODS or key in KNOWN_EXTERNAL
