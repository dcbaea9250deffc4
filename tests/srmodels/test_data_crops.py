"""HR crops and their MATLAB-bicubic LR crops: sizes, ranges, alignment, distinct images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from srmodels.data import BatchPlan, CropKey, DeviceBatcher, HRCropDataset
from srmodels.imageio import load_image
from srmodels.resize import imresize, modcrop
from tests.srmodels.trainkit import make_images


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_images(tmp_path_factory.mktemp("hr"), count=6, size=(50, 61))


def test_it_gives_hr_in_minus_one_one_and_lr_in_zero_one(folder: Path) -> None:
    dataset = HRCropDataset([folder], crop=32, scale=4)
    item = dataset[CropKey(0, 7, 0, 0)]
    assert item["hr"].shape == (3, 32, 32)
    assert item["lr"].shape == (3, 8, 8)
    assert item["hr"].dtype == item["lr"].dtype == torch.float32
    assert item["hr"].min() >= -1.0
    assert item["hr"].max() <= 1.0
    assert item["lr"].min() >= 0.0
    assert item["lr"].max() <= 1.0
    assert item["hr"].min() < 0  # really the [-1, 1] scaling, not [0, 1]


def test_it_cuts_lr_crops_from_the_matlab_bicubic_image_at_aligned_positions(
    folder: Path,
) -> None:
    dataset = HRCropDataset([folder], crop=32, scale=4)
    key = CropKey(2, 3, 5, 1)
    p = dataset.params(key)
    hr_full = modcrop(load_image(dataset.paths[2]), 4)  # 48 x 60
    lr_full = imresize(hr_full, 0.25)
    item = dataset[key]
    hr = np.rint((item["hr"].numpy().transpose(1, 2, 0) + 1) * 127.5).astype(np.uint8)
    lr = np.rint(item["lr"].numpy().transpose(1, 2, 0) * 255).astype(np.uint8)
    np.testing.assert_array_equal(hr, hr_full[4 * p.y : 4 * p.y + 32, 4 * p.x : 4 * p.x + 32])
    np.testing.assert_array_equal(lr, lr_full[p.y : p.y + 8, p.x : p.x + 8])


def test_it_flips_and_rotates_lr_and_hr_together(folder: Path) -> None:
    plain = HRCropDataset([folder], crop=32, scale=4, augment=False)
    augmented = HRCropDataset([folder], crop=32, scale=4, augment=True)
    seen = set()
    for step in range(40):
        key = CropKey(1, 0, step, 0)
        p = augmented.params(key)
        seen.add((p.hflip, p.vflip, p.transpose))
        base, aug = plain[key], augmented[key]
        assert plain.params(key)[:2] == p[:2]  # same position, only the symmetry differs
        for name in ("hr", "lr"):
            undone = aug[name]
            if p.transpose:
                undone = undone.transpose(1, 2)
            if p.vflip:
                undone = undone.flip(1)
            if p.hflip:
                undone = undone.flip(2)
            assert torch.equal(undone, base[name]), (name, p)
    assert len(seen) == 8  # every symmetry of the square occurs


def test_it_takes_each_crop_of_a_batch_from_a_distinct_image() -> None:
    plan = BatchPlan(num_images=10, batch_size=3, seed=4)
    seen_per_epoch: list[int] = []
    for step in range(9):
        indices = [key.index for key in plan.batch(step)]
        assert len(set(indices)) == 3
        seen_per_epoch += indices
    # Three batches per epoch of 10 images: no image twice within an epoch.
    for epoch in range(3):
        chunk = seen_per_epoch[9 * epoch : 9 * epoch + 9]
        assert len(set(chunk)) == 9


def test_it_makes_batches_a_pure_function_of_seed_and_step() -> None:
    first = [BatchPlan(10, 4, seed=1).batch(step) for step in (0, 7, 3)]
    again = BatchPlan(10, 4, seed=1)
    assert [again.batch(step) for step in (0, 7, 3)] == first
    assert BatchPlan(10, 4, seed=2).batch(0) != first[0]


def test_it_cuts_identical_batches_on_the_device(folder: Path) -> None:
    dataset = HRCropDataset([folder], crop=32, scale=4, augment=True, bicubic=True)
    keys = BatchPlan(len(dataset), 4, seed=9).batch(3)
    on_device = DeviceBatcher(dataset, "cpu").batch(keys)
    items = [dataset[key] for key in keys]
    assert set(on_device) == {"lr", "hr", "bicubic"}
    for name, tensor in on_device.items():
        assert torch.equal(tensor, torch.stack([item[name] for item in items])), name


def test_it_gives_the_crop_of_the_whole_bicubic_image(folder: Path) -> None:
    dataset = HRCropDataset([folder], crop=32, scale=4, bicubic=True)
    key = CropKey(0, 1, 2, 0)
    p = dataset.params(key)
    hr_full = modcrop(load_image(dataset.paths[0]), 4)
    bicubic = imresize(imresize(hr_full, 0.25), 4)
    got = np.rint(dataset[key]["bicubic"].numpy().transpose(1, 2, 0) * 255).astype(np.uint8)
    np.testing.assert_array_equal(got, bicubic[4 * p.y : 4 * p.y + 32, 4 * p.x : 4 * p.x + 32])
