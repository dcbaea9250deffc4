"""Which device and which numeric precision a run uses, decided once for inference and training.

``precision="auto"`` (the default of ``upscale``, the generation workers and ``train``)
picks, per device:

- a CPU whose instruction set computes bf16 natively (``amx_bf16``: Intel AMX tiles, or
  ``avx512_bf16``: AVX512-BF16 dot products, both used by oneDNN): bf16 autocast with
  channels-last tensors. On such CPUs oneDNN's bf16 convolutions run several times
  faster than fp32 (13x training, 12x inference for SRResNet on a Xeon with AMX; see
  docs/PERFORMANCE.md for the machine at hand);
- any other CPU: fp32 with channels-last (oneDNN's NHWC convolutions are faster than
  NCHW on every x86 CPU we measured; the numbers are exact fp32);
- CUDA: what the engine and the trainer always did there, fp32 in the default memory
  format; ``--precision bf16 --channels-last`` remain the explicit fast path on a GPU.

A method may be pinned to fp32 in the registry (``MethodSpec.auto_precision``) when its
bf16 outputs differ from fp32 by more than the 0.03 dB PSNR the project accepts; the
decision records that reason. ``precision="fp32"`` always forces exact fp32.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import torch

# Instruction-set flags of /proc/cpuinfo that give oneDNN native bf16 arithmetic.
NATIVE_BF16_FLAGS = ("amx_bf16", "avx512_bf16")
PRECISION_CHOICES = ("auto", "fp32", "bf16", "fp16")
DEVICE_ENV = "SRMODELS_DEVICE"


class DeviceError(ValueError):
    """A device that does not exist here, or a precision it cannot run; names both."""


@dataclass(frozen=True)
class Execution:
    """How a network runs: where, in which precision and memory format, and why."""

    device: torch.device
    precision: str  # "fp32", "bf16" or "fp16" (never "auto")
    channels_last: bool
    reason: str

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        return {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[self.precision]

    def autocast(self, *, cache_enabled: bool = True) -> contextlib.AbstractContextManager[None]:
        dtype = self.autocast_dtype
        return torch.autocast(
            device_type=self.device.type,
            dtype=dtype or torch.float32,
            enabled=dtype is not None,
            cache_enabled=cache_enabled,
        )

    def describe(self) -> dict[str, object]:
        """What the weights JSON, the training log and a generation job's provenance record."""
        return {
            "device": str(self.device),
            "hardware": hardware(self.device),
            "precision": self.precision,
            "channels_last": self.channels_last,
            "precision_reason": self.reason,
            "cpu_bf16": native_bf16() or "none",
        }


def resolve_device(device: str | None = None) -> torch.device:
    """``auto`` (or None: ``SRMODELS_DEVICE``, default auto) -> CUDA when available, else CPU.

    Raises DeviceError naming the device for an unknown name or a CUDA device on a
    machine without CUDA.
    """
    if device is None:
        setting = os.environ.get(DEVICE_ENV, "").strip() or "auto"
        try:
            return resolve_device(setting)
        except DeviceError as exc:
            raise DeviceError(f"{DEVICE_ENV}={setting!r}: {exc}") from None
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as exc:
        raise DeviceError(f"unknown device {device!r}: {exc}") from None
    if resolved.type not in ("cpu", "cuda"):
        raise DeviceError(f"device {device!r}: only cpu and cuda[:N] are supported")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise DeviceError(f"device {device!r} was asked for, but CUDA is not available here")
    return resolved


@functools.cache
def _cpuinfo() -> str:
    """``/proc/cpuinfo``, read once per process (generation asks for every batch)."""
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The instruction-set flags of the first processor in ``/proc/cpuinfo`` (empty elsewhere)."""
    for line in (_cpuinfo() if cpuinfo is None else cpuinfo).splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(value.split())
    return frozenset()


def native_bf16(flags: frozenset[str] | None = None) -> str | None:
    """The CPU feature that computes bf16 natively (``amx_bf16`` first), or None."""
    flags = cpu_flags() if flags is None else flags
    return next((flag for flag in NATIVE_BF16_FLAGS if flag in flags), None)


def cpu_model() -> str:
    """The processor's model name (``/proc/cpuinfo``), or what ``platform`` knows."""
    for line in _cpuinfo().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def hardware(device: torch.device) -> str:
    """One line naming the processor a run used."""
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (CUDA {torch.version.cuda})"
    return f"{cpu_model()}, {torch.get_num_threads()} thread(s)"


def choose_execution(
    precision: str,
    device: torch.device,
    *,
    channels_last: bool | None = None,
    flags: frozenset[str] | None = None,
    pinned_fp32: str | None = None,
) -> Execution:
    """Resolve ``precision`` (``auto`` or explicit) for ``device``.

    ``channels_last=None`` follows the choice (channels-last on CPU for ``auto``);
    ``flags`` are the CPU's (default: this machine's); ``pinned_fp32`` is the registry's
    reason for keeping a method in fp32, which ``auto`` then obeys.
    """
    if precision not in PRECISION_CHOICES:
        raise DeviceError(
            f"precision must be one of {', '.join(PRECISION_CHOICES)}, got {precision!r}"
        )
    if precision != "auto":
        return Execution(device, precision, bool(channels_last), f"{precision} as asked")
    if device.type == "cuda":
        return Execution(device, "fp32", bool(channels_last), "auto on CUDA: fp32")
    layout = True if channels_last is None else channels_last
    if pinned_fp32:
        return Execution(device, "fp32", layout, f"auto: fp32, method pinned ({pinned_fp32})")
    feature = native_bf16(flags)
    if feature:
        return Execution(device, "bf16", layout, f"auto: bf16, the CPU has {feature}")
    return Execution(device, "fp32", layout, "auto: fp32, the CPU has no native bf16")
