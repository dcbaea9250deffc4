"""The trainer's logged loss terms equal the paper's formulas worked out independently on
the same batch: content on VGG maps rescaled by 1/12.75, adversarial weighted 1e-3,
D's cross-entropy on the real batch and on the detached fake batch."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from srmodels.archs.vgg import VGG19Features
from srmodels.recipes import get_recipe
from srmodels.train import RunOptions, Trainer
from tests.srmodels.trainkit import make_images


@pytest.fixture(scope="module")
def vgg() -> VGG19Features:
    torch.manual_seed(3)
    return VGG19Features(layers=("relu5_4",), pretrained=False)


def test_it_logs_the_srgan_vgg54_terms_of_the_paper(tmp_path: Path, vgg: VGG19Features) -> None:
    recipe = get_recipe("srgan-vgg54").override(
        batch_size=2,
        crop=32,
        needs_init=False,
        **{"disc.num_features": 4, "arch.num_blocks": 1, "arch.num_features": 8},
    )
    options = RunOptions(
        data=[make_images(tmp_path / "hr", count=3)],
        out=tmp_path / "run",
        workers=0,
        device="cpu",
        precision="fp32",
    )
    torch.manual_seed(0)
    trainer = Trainer(recipe, options, vgg=vgg)
    batch = next(trainer.batches(0, 1))
    lr, hr = batch["lr"], batch["hr"]
    G, D = copy.deepcopy(trainer.generator).train(), copy.deepcopy(trainer.discriminator).train()

    with torch.no_grad():
        sr = G(lr)
        # VGG sees [0, 1] images; both maps are divided by 12.75 before the MSE.
        content = F.mse_loss(
            vgg((sr + 1) / 2)["relu5_4"] / 12.75, vgg((hr + 1) / 2)["relu5_4"] / 12.75
        )
        adv = 1e-3 * -torch.log(torch.sigmoid(D(sr))).mean()
        d_real = -torch.log(torch.sigmoid(D(hr))).mean()
        d_fake = -torch.log(1 - torch.sigmoid(D(sr))).mean()

    terms = trainer.train_step(batch)
    assert set(terms) == {"content", "adv", "d_real", "d_fake"}
    assert terms["content"].item() == pytest.approx(content.item(), rel=1e-5)
    assert terms["adv"].item() == pytest.approx(adv.item(), rel=1e-5)
    assert terms["d_real"].item() == pytest.approx(d_real.item(), rel=1e-5)
    assert terms["d_fake"].item() == pytest.approx(d_fake.item(), rel=1e-5)
    # Both networks moved: one Adam step each.
    assert not torch.equal(G.tail.weight, trainer.generator.tail.weight)
    assert not torch.equal(D.classifier[-1].weight, trainer.discriminator.classifier[-1].weight)


def test_it_adds_2e_8_total_variation_for_srresnet_vgg22(tmp_path: Path) -> None:
    torch.manual_seed(4)
    vgg = VGG19Features(layers=("relu2_2",), pretrained=False)
    recipe = get_recipe("srresnet-vgg22").override(
        batch_size=2, crop=16, **{"arch.num_blocks": 1, "arch.num_features": 8}
    )
    options = RunOptions(
        data=[make_images(tmp_path / "hr", count=2)],
        out=tmp_path / "run",
        workers=0,
        device="cpu",
        precision="fp32",
    )
    trainer = Trainer(recipe, options, vgg=vgg)
    batch = next(trainer.batches(0, 1))
    with torch.no_grad():
        sr = copy.deepcopy(trainer.generator).train()(batch["lr"])
        tv = ((sr[..., 1:, :] - sr[..., :-1, :]) ** 2).sum(dim=(1, 2, 3)) + (
            (sr[..., 1:] - sr[..., :-1]) ** 2
        ).sum(dim=(1, 2, 3))
    terms = trainer.train_step(batch)
    assert terms["tv"].item() == pytest.approx(2e-8 * tv.mean().item(), rel=1e-5)


def test_it_trains_y_channel_networks_on_matlab_luma(tmp_path: Path) -> None:
    """SRCNN's input is Y/255 of the bicubic crop, its target Y/255 of the HR crop."""
    recipe = get_recipe("srcnn").override(batch_size=2, crop=16)
    options = RunOptions(
        data=[make_images(tmp_path / "hr", count=2)],
        out=tmp_path / "run",
        workers=0,
        device="cpu",
        precision="fp32",
    )
    trainer = Trainer(recipe, options)
    batch = next(trainer.batches(0, 1))
    inp, target = trainer.prepare(batch)
    rgb = (batch["hr"] + 1) / 2 * 255
    y = 16 + (65.481 * rgb[:, 0] + 128.553 * rgb[:, 1] + 24.966 * rgb[:, 2]) / 255
    assert torch.allclose(target[:, 0], y / 255, atol=1e-6)
    assert inp.shape == target.shape == (2, 1, 16, 16)
