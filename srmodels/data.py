"""Training data: random HR crops and their MATLAB-bicubic LR crops from folders of images.

The paper's data (Ledig et al. 2017, section 3.2): each mini-batch holds 16 random
96x96 HR crops, **each from a distinct image**, with their x4 bicubic LR crops; LR
values in [0, 1], HR in [-1, 1].

How crops are made, and why:

- each image is modcropped and shrunk **whole** with :func:`srmodels.resize.imresize`
  (rounded to uint8, as the benchmarks' LR files are); crops are then cut at aligned
  positions (LR ``(y, x)`` <-> HR ``(scale*y, scale*x)``). So a training LR crop is
  exactly what the network sees at test time, without the border artefacts of resizing
  a small crop. Y-channel networks that work on the bicubic-upsampled image (SRCNN,
  DRCN) get a third, ``bicubic`` crop of the whole upsampled LR image, exactly as the
  inference engine makes it.
- which images form batch ``step`` and where each crop lies are pure functions of
  ``(seed, step, slot)`` (:class:`BatchPlan`, :func:`crop_params`): batches do not depend
  on worker processes, on the device, or on whether the run was resumed, so
  ``--resume`` replays the exact batches of an uninterrupted run. Within an epoch (a
  random permutation of the images) every batch holds distinct images.
- :class:`HRCropDataset` loads lazily and caches the decoded images in each process
  (DataLoader workers), which is what a large folder needs;
  :class:`DeviceBatcher` puts every image of a small folder on the GPU once and cuts
  the crops there with one gather per tensor, so a fast GPU never waits on the CPU.
  Both produce identical batches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from srmodels.imageio import load_image
from srmodels.resize import imresize, modcrop
from srmodels.typedefs import UInt8Array

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")


class DataError(ValueError):
    """A training folder that cannot be used; the message names the folder or file."""


class CropKey(NamedTuple):
    """Identifies one crop: image ``index``, cut for ``slot`` of batch ``step`` of run ``seed``."""

    index: int  # type: ignore[assignment]  # shadows tuple.index, which no caller uses
    seed: int
    step: int
    slot: int


class CropParams(NamedTuple):
    """Where a crop lies (LR pixels) and how it is flipped / transposed."""

    y: int
    x: int
    hflip: bool
    vflip: bool
    transpose: bool


def list_images(folders: Sequence[str | Path]) -> list[Path]:
    """The image files (PNG, JPEG, BMP, WebP, TIFF) in ``folders``, sorted per folder.

    Raises DataError for a folder that is missing, not a folder, or holds no image.
    """
    if not folders:
        raise DataError("no training folder given")
    paths: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.exists():
            raise DataError(f"training folder {folder} does not exist")
        if not folder.is_dir():
            raise DataError(f"training folder {folder} is not a folder")
        found = sorted(
            entry
            for entry in folder.iterdir()
            if entry.is_file()
            and not entry.name.startswith(".")
            and entry.suffix.lower() in IMAGE_SUFFIXES
        )
        if not found:
            raise DataError(
                f"training folder {folder} holds no image ({', '.join(IMAGE_SUFFIXES)})"
            )
        paths += found
    return paths


def holdout_images(folders: Sequence[str | Path], count: int) -> list[Path]:
    """The validation slice held out of training: every k-th image of the first folder.

    Spread over the sorted names (not the last ``count``) so the slice is not one
    photographer's or one session's images; a pure function of the folder's listing.
    """
    if count < 0:
        raise DataError(f"holdout must be >= 0, got {count}")
    if count == 0:
        return []
    files = list_images(list(folders)[:1])
    if count >= len(files):
        raise DataError(
            f"holdout {count} would leave no training image of the {len(files)} in {folders[0]}"
        )
    step = len(files) / count
    return [files[int(i * step + step / 2)] for i in range(count)]


class BatchPlan:
    """Which images make up each batch: one random permutation of the images per epoch.

    Batch ``step`` is slice ``k`` of epoch ``e``'s permutation (``e, k = divmod(step,
    num_images // batch_size)``), so its crops come from distinct images; the images left
    over at an epoch's end wait for the next permutation.
    """

    def __init__(self, num_images: int, batch_size: int, seed: int) -> None:
        if batch_size < 1:
            raise DataError(f"batch size must be >= 1, got {batch_size}")
        if batch_size > num_images:
            raise DataError(
                f"a batch of {batch_size} crops from distinct images needs at least "
                f"{batch_size} usable images, the training data has {num_images}"
            )
        if seed < 0:
            raise DataError(f"seed must be >= 0, got {seed}")
        self.num_images = num_images
        self.batch_size = batch_size
        self.seed = seed
        self.batches_per_epoch = num_images // batch_size
        self._epoch = -1
        self._perm = np.arange(num_images)

    def batch(self, step: int) -> list[CropKey]:
        epoch, k = divmod(step, self.batches_per_epoch)
        if epoch != self._epoch:
            self._perm = np.random.default_rng([self.seed, epoch]).permutation(self.num_images)
            self._epoch = epoch
        chosen = self._perm[k * self.batch_size : (k + 1) * self.batch_size]
        return [CropKey(int(i), self.seed, step, slot) for slot, i in enumerate(chosen)]


class PlanSampler(torch.utils.data.Sampler[list[CropKey]]):
    """The batches ``start .. stop - 1`` of a plan, as a DataLoader ``batch_sampler``."""

    def __init__(self, plan: BatchPlan, start: int, stop: int) -> None:
        self.plan, self.start, self.stop = plan, start, stop

    def __iter__(self) -> Iterator[list[CropKey]]:
        for step in range(self.start, self.stop):
            yield self.plan.batch(step)

    def __len__(self) -> int:
        return max(0, self.stop - self.start)


def crop_params(key: CropKey, lr_shape: tuple[int, int], lr_crop: int, augment: bool) -> CropParams:
    """The random position (and flips) of crop ``key`` in an LR image of ``lr_shape``."""
    rng = np.random.default_rng([key.seed, key.step, key.slot, key.index])
    y = int(rng.integers(0, lr_shape[0] - lr_crop + 1))
    x = int(rng.integers(0, lr_shape[1] - lr_crop + 1))
    if not augment:
        return CropParams(y, x, False, False, False)
    hflip, vflip, transpose = (bool(v) for v in rng.integers(0, 2, size=3))
    return CropParams(y, x, hflip, vflip, transpose)


def _cut(image: UInt8Array, y: int, x: int, side: int, p: CropParams) -> UInt8Array:
    crop = image[y : y + side, x : x + side]
    if p.hflip:
        crop = crop[:, ::-1]
    if p.vflip:
        crop = crop[::-1]
    if p.transpose:
        crop = crop.transpose(1, 0, 2)
    return np.ascontiguousarray(crop)


def to_unit(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 -> float in [0, 1] (the LR scaling)."""
    return pixels.float() / 255.0


def to_symmetric(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 -> float in [-1, 1] (the paper's HR scaling)."""
    return pixels.float() / 127.5 - 1.0


def _hwc_to_chw(array: UInt8Array) -> torch.Tensor:
    return torch.from_numpy(array).permute(2, 0, 1)


class HRCropDataset(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Random HR crops with their MATLAB-bicubic LR crops, keyed by :class:`CropKey`.

    ``dataset[key]`` is ``{"lr": 3 x c/s x c/s in [0, 1], "hr": 3 x c x c in [-1, 1]}``
    (plus ``"bicubic"``: 3 x c x c in [0, 1], with ``bicubic=True``), float32.

    Args:
        folders: folders of HR images (PNG, JPEG, BMP, WebP, TIFF).
        crop: HR crop side (paper: 96); a multiple of ``scale``.
        scale: the downscaling factor (paper: 4).
        augment: random horizontal / vertical flips and transposition (the 8 symmetries
            of the square), applied identically to the LR and HR crops.
        bicubic: also give the crop of the bicubic-upsampled LR image.
        exclude: image files of ``folders`` left out (a held-out validation slice).

    Images whose modcropped size is smaller than the crop are skipped with a warning;
    an unreadable file raises DataError naming it when the dataset is built.
    """

    def __init__(
        self,
        folders: Sequence[str | Path],
        *,
        crop: int = 96,
        scale: int = 4,
        augment: bool = False,
        bicubic: bool = False,
        exclude: Sequence[str | Path] = (),
    ) -> None:
        if scale < 1:
            raise DataError(f"scale must be >= 1, got {scale}")
        if crop < scale or crop % scale:
            raise DataError(f"crop {crop} must be a positive multiple of the scale {scale}")
        self.folders = [Path(f) for f in folders]
        self.crop, self.scale, self.augment, self.bicubic = crop, scale, augment, bicubic
        paths: list[Path] = []
        shapes: list[tuple[int, int]] = []
        skipped: list[str] = []
        # Held-out validation images: never cut into training crops.
        self.excluded = sorted(Path(p).resolve() for p in exclude)
        held_out = set(self.excluded)
        for path in list_images(self.folders):
            if path.resolve() in held_out:
                continue
            width, height = _image_size(path)
            height, width = height - height % scale, width - width % scale
            if min(height, width) < crop:
                skipped.append(f"{path.name} ({width}x{height})")
                continue
            paths.append(path)
            shapes.append((height, width))
        if skipped:
            log.warning(
                "skipped %d image(s) smaller than the %dx%d crop: %s",
                len(skipped),
                crop,
                crop,
                ", ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""),
            )
        if not paths:
            raise DataError(
                f"no image in {', '.join(map(str, self.folders))} is at least {crop}x{crop} pixels"
            )
        self.paths = paths
        self.shapes = shapes
        self._cache: dict[int, tuple[UInt8Array, ...]] = {}

    def __len__(self) -> int:
        return len(self.paths)

    def images(self, index: int) -> tuple[UInt8Array, ...]:
        """(HR, LR[, bicubic]) uint8 arrays of image ``index``, decoded once per process."""
        cached = self._cache.get(index)
        if cached is None:
            path = self.paths[index]
            hr = modcrop(load_image(path), self.scale)
            if hr.shape[:2] != self.shapes[index]:
                raise DataError(
                    f"{path}: changed size while training ({hr.shape[1]}x{hr.shape[0]})"
                )
            lr = imresize(hr, 1.0 / self.scale)
            cached = (hr, lr, imresize(lr, self.scale)) if self.bicubic else (hr, lr)
            self._cache[index] = cached
        return cached

    def preload(self, workers: int = 4) -> None:
        """Decode every image now (threads: Pillow and the resizer release the GIL)."""
        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(self.images, range(len(self))))

    def params(self, key: CropKey) -> CropParams:
        height, width = self.shapes[key.index]
        side = self.crop // self.scale
        return crop_params(key, (height // self.scale, width // self.scale), side, self.augment)

    def __getitem__(self, key: CropKey) -> dict[str, torch.Tensor]:
        key = CropKey(*key)
        arrays = self.images(key.index)
        p = self.params(key)
        side, s = self.crop // self.scale, self.scale
        hr = _cut(arrays[0], s * p.y, s * p.x, self.crop, p)
        lr = _cut(arrays[1], p.y, p.x, side, p)
        item = {"lr": to_unit(_hwc_to_chw(lr)), "hr": to_symmetric(_hwc_to_chw(hr))}
        if self.bicubic:
            item["bicubic"] = to_unit(_hwc_to_chw(_cut(arrays[2], s * p.y, s * p.x, self.crop, p)))
        return item

    def describe(self) -> dict[str, object]:
        """What the weights JSON records about the data."""
        return {
            "folders": [str(f) for f in self.folders],
            "images": len(self),
            "crop": self.crop,
            "scale": self.scale,
            "augment": self.augment,
            "held_out": [p.name for p in self.excluded],
            "lr": "MATLAB imresize bicubic of the modcropped HR image, uint8",
        }


def _image_size(path: Path) -> tuple[int, int]:
    """(width, height) from the file header, or DataError naming the file."""
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, ValueError, SyntaxError) as exc:
        raise DataError(f"{path}: not a readable image ({exc})") from None


class _Packed:
    """Images of different sizes in one flat uint8 tensor (HWC each), with their offsets."""

    def __init__(self, arrays: Sequence[UInt8Array], device: torch.device) -> None:
        sizes = [a.size for a in arrays]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.flat = torch.from_numpy(np.concatenate([a.reshape(-1) for a in arrays])).to(device)
        self.offsets = torch.tensor(offsets, dtype=torch.int64, device=device)
        self.widths = torch.tensor([a.shape[1] for a in arrays], dtype=torch.int64, device=device)

    def gather(
        self,
        index: torch.Tensor,
        y: torch.Tensor,
        x: torch.Tensor,
        side: int,
        flips: torch.Tensor,
    ) -> torch.Tensor:
        """uint8 NCHW (channels-last in memory) crops; same result as ``_cut`` per image."""
        device = self.flat.device
        span = torch.arange(side, device=device)
        hflip, vflip, transpose = (flips[:, i, None] for i in range(3))
        rows = y[:, None] + torch.where(vflip, side - 1 - span, span)  # B x side
        cols = x[:, None] + torch.where(hflip, side - 1 - span, span)
        shape = (len(index), side, side)
        # Plain crop: out[i, j] = img[rows[i], cols[j]]; transposed: img[rows[j], cols[i]].
        t = transpose[:, :, None]
        r = torch.where(t, rows[:, None, :].expand(shape), rows[:, :, None].expand(shape))
        c = torch.where(t, cols[:, :, None].expand(shape), cols[:, None, :].expand(shape))
        base = self.offsets[index][:, None, None] + (r * self.widths[index][:, None, None] + c) * 3
        pixels = self.flat[base[..., None] + torch.arange(3, device=device)]
        return pixels.permute(0, 3, 1, 2)


class DeviceBatcher:
    """Every image of a dataset on ``device``; batches are cut there (see the module doc).

    ``batch(keys)`` returns the same dict of stacked tensors as a DataLoader over the
    dataset (``lr`` / ``hr`` / ``bicubic``), already on the device. Memory: the decoded HR
    images (about 105 MB for BSD300-train + T91), their LR, and their bicubic images when
    the dataset makes them.
    """

    def __init__(self, dataset: HRCropDataset, device: str | torch.device) -> None:
        self.dataset = dataset
        self.device = torch.device(device)
        dataset.preload()
        arrays = [dataset.images(i) for i in range(len(dataset))]
        self.hr = _Packed([a[0] for a in arrays], self.device)
        self.lr = _Packed([a[1] for a in arrays], self.device)
        self.bicubic = _Packed([a[2] for a in arrays], self.device) if dataset.bicubic else None

    def batch(self, keys: Sequence[CropKey]) -> dict[str, torch.Tensor]:
        params = [self.dataset.params(key) for key in keys]
        table = torch.tensor(
            [
                [key.index, p.y, p.x, p.hflip, p.vflip, p.transpose]
                for key, p in zip(keys, params, strict=True)
            ],
            dtype=torch.int64,
        )
        if self.device.type == "cuda":
            table = table.pin_memory()
        table = table.to(self.device, non_blocking=True)
        index, y, x, flips = table[:, 0], table[:, 1], table[:, 2], table[:, 3:].bool()
        s, crop = self.dataset.scale, self.dataset.crop
        out = {
            "lr": to_unit(self.lr.gather(index, y, x, crop // s, flips)),
            "hr": to_symmetric(self.hr.gather(index, s * y, s * x, crop, flips)),
        }
        if self.bicubic is not None:
            out["bicubic"] = to_unit(self.bicubic.gather(index, s * y, s * x, crop, flips))
        return out
