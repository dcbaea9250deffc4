"""The weights format: ``<stem>.safetensors`` plus ``<stem>.json``.

The safetensors file holds the state dict (fp16 by default: half the size to ship,
and inference in uint8 loses nothing). The JSON file says what the tensors are and
where they come from::

    {"format_version": 1, "method": "srresnet-mse", "arch": "srresnet",
     "arch_args": {...}, "scale": 4, "recipe": {...}, "data": {...},
     "training": {"iterations": ..., "time": ..., "hardware": ...}, "metrics": {...}}

The same JSON is also stored in the safetensors header (key ``srmodels``), so a lone
``.safetensors`` file still loads; the sidecar wins when both exist, because metrics are
often added to it after training.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from srmodels.typedefs import JSONDict

FORMAT_VERSION = 1
REQUIRED_KEYS = ("method", "arch", "arch_args")
HEADER_KEY = "srmodels"


class WeightsError(ValueError):
    """A weights file is missing, unreadable, or not what the caller needs."""


def weights_paths(stem: str | Path) -> tuple[Path, Path]:
    """(``<stem>.safetensors``, ``<stem>.json``) for a stem or either file's path."""
    stem = Path(stem)
    if stem.suffix in (".safetensors", ".json"):
        stem = stem.with_suffix("")
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def save_weights(
    stem: str | Path,
    weights: nn.Module | Mapping[str, torch.Tensor],
    *,
    meta: JSONDict,
    dtype: torch.dtype | None = torch.float16,
) -> tuple[Path, Path]:
    """Write ``<stem>.safetensors`` and ``<stem>.json``; returns both paths.

    ``weights`` is a model or its state dict. With a model, ``arch`` and ``arch_args``
    default to the model's own (every srmodels network records them). Floating tensors
    are stored as ``dtype`` (None keeps them); integer buffers stay as they are. Both
    files are written under temporary names and renamed into place, so a crash never
    leaves a truncated file.
    """
    meta = dict(meta)
    if isinstance(weights, nn.Module):
        from srmodels.archs import arch_name

        model = getattr(weights, "_orig_mod", weights)
        meta.setdefault("arch", arch_name(model))
        meta.setdefault("arch_args", dict(getattr(model, "arch_args", {})))
        state = model.state_dict()
    else:
        state = dict(weights)
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise WeightsError(f"weights metadata for {stem} lacks {', '.join(missing)}")
    if "scale" not in meta and "scale" in meta["arch_args"]:
        meta["scale"] = meta["arch_args"]["scale"]
    meta["format_version"] = FORMAT_VERSION
    tensors = {}
    for key, tensor in state.items():
        tensor = tensor.detach().to("cpu")
        if dtype is not None and tensor.is_floating_point():
            tensor = tensor.to(dtype)
        tensors[key] = tensor.contiguous()
    text = json.dumps(meta, indent=2, sort_keys=True, default=str) + "\n"
    tensor_path, json_path = weights_paths(stem)
    tensor_path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic(tensor_path) as tmp:
        save_file(tensors, str(tmp), metadata={HEADER_KEY: text})
    with _atomic(json_path) as tmp:
        tmp.write_text(text)
    return tensor_path, json_path


def load_weights(path: str | Path) -> tuple[dict[str, torch.Tensor], JSONDict]:
    """(state dict with float32 floating tensors, metadata) of a weights file or stem."""
    tensor_path, json_path = weights_paths(path)
    if not tensor_path.is_file():
        raise WeightsError(f"weights file {tensor_path} does not exist")
    try:
        state = load_file(str(tensor_path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise WeightsError(f"cannot read weights file {tensor_path}: {exc}") from exc
    meta = _read_meta(tensor_path, json_path)
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    return state, meta


def read_meta(path: str | Path) -> JSONDict:
    """Only the metadata of a weights file or stem (sidecar JSON, else the header)."""
    tensor_path, json_path = weights_paths(path)
    return _read_meta(tensor_path, json_path)


def _read_meta(tensor_path: Path, json_path: Path) -> JSONDict:
    text: str | None
    if json_path.is_file():
        source, text = json_path, json_path.read_text()
    else:
        source, text = tensor_path, _header_meta(tensor_path)
        if text is None:
            raise WeightsError(
                f"weights file {tensor_path} has no metadata: expected {json_path} beside it "
                "(or an srmodels header), naming the method, arch and arch_args"
            )
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WeightsError(f"weights metadata {source} is not valid JSON: {exc}") from exc
    if not isinstance(meta, dict):
        raise WeightsError(f"weights metadata {source} must be a JSON object")
    missing = [key for key in REQUIRED_KEYS if key not in meta]
    if missing:
        raise WeightsError(f"weights metadata {source} lacks {', '.join(missing)}")
    if not isinstance(meta["arch_args"], dict):
        raise WeightsError(f"weights metadata {source}: arch_args must be an object")
    return meta


def _header_meta(tensor_path: Path) -> str | None:
    """The JSON stored in a safetensors header, read without loading the tensors."""
    try:
        with tensor_path.open("rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            if size <= 0 or size > 100_000_000:
                return None
            header = json.loads(handle.read(size))
    except (OSError, ValueError):
        return None
    return (header.get("__metadata__") or {}).get(HEADER_KEY)


def sha256_file(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file: the identity of a weights file in generation records."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        # mkstemp creates 0600 files; weights are shipped and shared, so make them readable.
        tmp.chmod(0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
