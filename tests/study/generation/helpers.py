"""Tiny datasets and networks for generation tests, made by the test itself."""

from __future__ import annotations

from pathlib import Path

import torch

from srmodels.archs import SRResNet
from srmodels.weights import save_weights
from study.catalog.models import Dataset
from study.catalog.services import import_dataset
from tests.study.catalog.images import stored_files, write_folder

__all__ = ["make_dataset", "stored_files", "temp_files", "tiny_srresnet"]


def make_dataset(tmp_path: Path, name: str = "Tiny", count: int = 3, size: int = 32) -> Dataset:
    """A dataset of ``count`` HR images of ``size`` x ``size`` (x4), imported the normal way."""
    folder = tmp_path / f"hr-{name}"
    write_folder(folder, {f"img{i}": (size, size + 4 * i) for i in range(count)})
    report = import_dataset(name=name, directory=folder, scale=4, workers=1)
    assert not report.failed, report.failed
    return Dataset.objects.get(name=name)


def tiny_srresnet(folder: Path, *, blocks: int = 1, features: int = 8, seed: int = 0) -> Path:
    """Random SRResNet x4 weights saved as ``srresnet-mse``; returns the .safetensors path."""
    torch.manual_seed(seed)
    model = SRResNet(num_features=features, num_blocks=blocks, scale=4)
    tensors, _json = save_weights(
        folder / f"srresnet-b{blocks}-f{features}-s{seed}",
        model,
        meta={"method": "srresnet-mse"},
        dtype=None,
    )
    return tensors


def temp_files(media_root: Path) -> list[str]:
    """Temporary (partial or abandoned) files anywhere under MEDIA_ROOT."""
    return [name for name in stored_files(media_root) if "/.tmp-" in f"/{name}"]
