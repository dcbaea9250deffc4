"""Small synthetic images for catalog tests: smooth enough that metrics are meaningful."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from srmodels.imageio import save_png


def photo(height: int, width: int, seed: int) -> np.ndarray:
    """A deterministic uint8 RGB image with gradients, edges and some texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    channels = []
    for c in range(3):
        fx, fy = rng.uniform(0.05, 0.3, size=2)
        base = 128 + 90 * np.sin(fx * x + c) * np.cos(fy * y - c)
        base += np.where((x // 7 + y // 5) % 2 == 0, 20, -20)
        channels.append(base + rng.normal(0, 6, size=base.shape))
    return np.clip(np.stack(channels, axis=-1), 0, 255).round().astype(np.uint8)


def write_folder(folder: Path, sizes: dict[str, tuple[int, int]], pattern: str = "{name}.png"):
    """Write one image per name with the given (height, width); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for seed, (name, (height, width)) in enumerate(sorted(sizes.items())):
        path = folder / pattern.replace("{name}", name)
        save_png(path, photo(height, width, seed))
        paths[name] = path
    return paths


def stored_files(media_root: Path) -> list[str]:
    """Every file under MEDIA_ROOT, relative, sorted (temporary files included)."""
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())
