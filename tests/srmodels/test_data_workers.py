"""DataLoader worker processes produce exactly the batches of the main process."""

from __future__ import annotations

from pathlib import Path

import torch

from srmodels.data import BatchPlan, HRCropDataset, PlanSampler
from tests.srmodels.trainkit import make_images


def test_it_gives_the_same_batches_with_worker_processes(tmp_path: Path) -> None:
    dataset = HRCropDataset([make_images(tmp_path, count=5)], crop=16, augment=True)
    plan = BatchPlan(len(dataset), 2, seed=3)

    def batches(workers: int) -> list[dict[str, torch.Tensor]]:
        loader = torch.utils.data.DataLoader(
            dataset, batch_sampler=PlanSampler(plan, 2, 6), num_workers=workers
        )
        return list(loader)

    inline, workers = batches(0), batches(2)
    assert len(inline) == len(workers) == 4
    for a, b in zip(inline, workers, strict=True):
        assert a["hr"].shape == (2, 3, 16, 16)
        assert torch.equal(a["hr"], b["hr"])
        assert torch.equal(a["lr"], b["lr"])
