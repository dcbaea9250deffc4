"""Unusable training folders fail early with a message naming the folder or file."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from srmodels.data import BatchPlan, DataError, HRCropDataset, list_images
from srmodels.imageio import save_png
from tests.srmodels.trainkit import make_images


def test_it_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=f"{tmp_path / 'nope'} does not exist"):
        list_images([tmp_path / "nope"])


def test_it_names_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(DataError, match=f"training folder {tmp_path} holds no image"):
        HRCropDataset([tmp_path], crop=32)


def test_it_names_an_unreadable_image(tmp_path: Path) -> None:
    make_images(tmp_path, count=2)
    (tmp_path / "broken.png").write_text("this is not a PNG")
    with pytest.raises(DataError, match=r"broken\.png: not a readable image"):
        HRCropDataset([tmp_path], crop=32)


def test_it_skips_images_smaller_than_the_crop_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_images(tmp_path, count=2, size=(48, 48))
    save_png(tmp_path / "tiny.png", np.zeros((20, 30, 3), np.uint8))
    with caplog.at_level(logging.WARNING):
        dataset = HRCropDataset([tmp_path], crop=32)
    assert len(dataset) == 2
    assert "tiny.png (28x20)" in caplog.text
    with pytest.raises(DataError, match="is at least 64x64 pixels"):
        HRCropDataset([tmp_path], crop=64)


def test_it_refuses_a_crop_that_is_not_a_multiple_of_the_scale(tmp_path: Path) -> None:
    make_images(tmp_path, count=1)
    with pytest.raises(DataError, match="crop 30 must be a positive multiple of the scale 4"):
        HRCropDataset([tmp_path], crop=30)


def test_it_refuses_a_batch_larger_than_the_number_of_images() -> None:
    with pytest.raises(DataError, match="batch of 16 crops from distinct images needs"):
        BatchPlan(num_images=5, batch_size=16, seed=0)
