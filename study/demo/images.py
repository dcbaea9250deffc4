"""Real photographs for the demo, from the sample images that ship inside scikit-image.

They are centre-cropped to BSD100's 480 x 320 (or smaller) so that a rating page
fits a laptop screen at 100 %, and written as PNG with fixed settings so that a
second run writes identical files (and the import recognises them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from skimage import data

from srmodels.imageio import save_png

# (name, loader) of colour photographs bundled with scikit-image (no download needed).
TEST_IMAGES = {
    "astronaut": data.astronaut,
    "chelsea": data.chelsea,
    "coffee": data.coffee,
    "rocket": data.rocket,
}
CALIBRATION_IMAGES = {
    "motorcycle": lambda: data.stereo_motorcycle()[0],
    "hubble": data.hubble_deep_field,
}
MAX_SIZE = (320, 480)  # height, width


def centre_crop(image: np.ndarray, *, height: int, width: int) -> np.ndarray:
    top = max(0, (image.shape[0] - height) // 2)
    left = max(0, (image.shape[1] - width) // 2)
    return image[top : top + height, left : left + width]


def write_images(folder: Path, images: dict) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, load in images.items():
        image = np.ascontiguousarray(load()[..., :3])
        # Landscape images get 480 x 320, portrait ones 320 x 480.
        height, width = MAX_SIZE if image.shape[1] >= image.shape[0] else MAX_SIZE[::-1]
        path = folder / f"{name}.png"
        save_png(path, centre_crop(image, height=height, width=width))
        paths.append(path)
    return paths
