"""The recipes carry the paper's numbers (Ledig et al. 2017, section 3.2)."""

from __future__ import annotations

import pytest

from srmodels.recipes import RECIPES, Recipe, RecipeError, get_recipe
from srmodels.registry import get_method

PAPER_MODELS = ("srresnet-mse", "srresnet-vgg22", "srgan-mse", "srgan-vgg22", "srgan-vgg54")


def test_it_names_every_model_of_the_paper_and_the_baselines() -> None:
    assert set(RECIPES) == {*PAPER_MODELS, "srcnn", "espcn", "drcn"}
    for name, recipe in RECIPES.items():
        assert recipe.method == name
        assert get_method(name).arch == recipe.arch


@pytest.mark.parametrize("name", PAPER_MODELS)
def test_it_uses_adam_beta1_09_lr_1e_4_and_16_crops_of_96(name: str) -> None:
    recipe = get_recipe(name)
    assert (recipe.beta1, recipe.lr, recipe.batch_size, recipe.crop) == (0.9, 1e-4, 16, 96)
    assert recipe.generator_args == {"num_features": 64, "num_blocks": 16, "scale": 4}


def test_it_trains_srresnet_1e6_updates_without_lr_drop() -> None:
    for name in ("srresnet-mse", "srresnet-vgg22"):
        recipe = get_recipe(name)
        assert recipe.iters == 1_000_000
        assert not recipe.gan
        assert not recipe.needs_init
        assert recipe.lr_at(999_999) == 1e-4
    assert get_recipe("srresnet-mse").content == "mse"
    assert get_recipe("srresnet-mse").tv_weight == 0
    vgg22 = get_recipe("srresnet-vgg22")
    assert (vgg22.content, vgg22.tv_weight, vgg22.vgg_rescale) == ("vgg22", 2e-8, 1 / 12.75)


@pytest.mark.parametrize(
    ("name", "content"), [("srgan-mse", "mse"), ("srgan-vgg22", "vgg22"), ("srgan-vgg54", "vgg54")]
)
def test_it_trains_srgan_from_srresnet_with_the_lr_drop_halfway(name: str, content: str) -> None:
    recipe = get_recipe(name)
    assert (recipe.content, recipe.adv_weight, recipe.tv_weight) == (content, 1e-3, 0.0)
    assert recipe.needs_init
    assert recipe.gan
    assert recipe.iters == 200_000
    assert recipe.lr_at(0) == 1e-4
    assert recipe.lr_at(99_999) == 1e-4
    assert recipe.lr_at(100_000) == pytest.approx(1e-5)
    assert recipe.disc_args == {"num_features": 64}
    # Halfway follows --iters.
    assert recipe.override(iters=10).lr_at(5) == pytest.approx(1e-5)


def test_it_decays_drcn_supervision_from_one_to_zero() -> None:
    drcn = get_recipe("drcn").override(iters=100, supervision_decay=0.5)
    assert [drcn.supervision_alpha(s) for s in (0, 25, 50, 80)] == [1.0, 0.5, 0.0, 0.0]


def test_it_overrides_fields_from_command_line_strings() -> None:
    recipe = get_recipe("srgan-vgg54").override(
        iters="300",
        lr="2e-4",
        augment="true",
        lr_milestones="0.25,0.75",
        **{"arch.num_blocks": "4", "disc.num_features": "32"},
    )
    assert recipe.iters == 300
    assert recipe.lr == 2e-4
    assert recipe.augment is True
    assert recipe.lr_milestones == (0.25, 0.75)
    assert recipe.generator_args["num_blocks"] == 4
    assert recipe.disc_args["num_features"] == 32
    assert Recipe.from_dict(recipe.to_dict()) == recipe


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nonsense": "1"}, "no settable field 'nonsense'"),
        ({"iters": "many"}, "bad value 'many' for iters"),
        ({"crop": 30}, "crop 30 must be a multiple of the scale 4"),
        ({"crop": 40}, "discriminator needs a crop that is a multiple of 16"),
        ({"beta1": 1.5}, "beta1 must be in"),
        ({"lr": -1.0}, "lr must be finite and >= 0"),
        ({"content": "l1"}, "content must be one of"),
    ],
)
def test_it_refuses_bad_overrides_naming_the_field(changes: dict, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        get_recipe("srgan-mse").override(**changes)


def test_it_refuses_a_vgg_loss_on_a_y_channel_network() -> None:
    with pytest.raises(RecipeError, match="VGG loss needs an RGB network"):
        get_recipe("espcn").override(content="vgg22")
    with pytest.raises(RecipeError, match="unknown recipe 'srgan'"):
        get_recipe("srgan")
