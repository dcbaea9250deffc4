"""Output files whose sizes order the methods, as real ones do (nearest < bicubic < hr)."""

from __future__ import annotations

import io

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from study.catalog.models import Output

# Fewer grey levels compress better: files ordered nearest < bicubic < hr.
LEVELS = {"nearest": 2, "bicubic": 16, "hr": 256}
ORDER = list(LEVELS)


def png_of(method: str, seed: int, size: tuple[int, int]) -> bytes:
    rng = np.random.default_rng(seed)
    levels = LEVELS[method]
    values = rng.integers(0, levels, size=(size[1], size[0], 3)) * (255 // max(1, levels - 1))
    buffer = io.BytesIO()
    Image.fromarray(values.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def resize_outputs_by_method() -> None:
    """Rewrite every output file in place (same name) with a method-sized PNG."""
    for seed, output in enumerate(Output.objects.select_related("method")):
        name = output.file.name
        default_storage.delete(name)
        data = png_of(output.method.key, seed, (output.width, output.height))
        assert default_storage.save(name, ContentFile(data)) == name


def size_ranking_accuracy(lengths: dict[str, dict[str, int]]) -> float:
    """Expected share of methods a size ranking names right (ties broken at random).

    Per photograph the guesser orders the images by size and names them nearest,
    bicubic, hr in that order. An image in a tie group of g images at ranks r..r+g-1
    is named right with probability 1/g when its true rank is in that range.
    """
    right, total = 0.0, 0
    for by_method in lengths.values():
        methods = sorted(by_method, key=ORDER.index)
        sizes = sorted(by_method.values())
        for method in methods:
            true_rank = methods.index(method)
            ranks = [k for k, size in enumerate(sizes) if size == by_method[method]]
            right += (true_rank in ranks) / len(ranks)
            total += 1
    return right / total


def chance(lengths: dict[str, dict[str, int]]) -> float:
    """A random order names one image per photograph right, on average."""
    return len(lengths) / sum(len(by_method) for by_method in lengths.values())
