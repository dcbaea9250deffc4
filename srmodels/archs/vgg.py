"""VGG19 feature extractor for the SRGAN content loss.

Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015 (configuration E), as used by Ledig et al. CVPR 2017: phi_i,j is
the feature map after the ReLU of the j-th convolution before the i-th max-pool.
phi_2,2 (``relu2_2``) ends after ``features.8``, phi_5,4 (``relu5_4``) after
``features.35``.

The module keeps torchvision's layout (``features.N.weight`` / ``features.N.bias``), so
torchvision's ImageNet file ``vgg19-dcbb9e9d.pth`` loads directly. Inputs are RGB in
[0, 1]; the ImageNet normalisation happens inside. The network is frozen (no gradients
to its weights, eval mode), but gradients flow to its input, as the content loss needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import torch
from torch import nn

VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
VGG19_FILE = "vgg19-dcbb9e9d.pth"
WEIGHTS_ENV = "SRMODELS_VGG19_WEIGHTS"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# torchvision's cfgs["E"]: conv widths, "M" = 2x2 max-pool.
CONFIG: tuple[int | str, ...] = (
    64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
    512, 512, 512, 512, "M", 512, 512, 512, 512, "M",
)  # fmt: skip


def layer_indices() -> dict[str, int]:
    """Name -> index in ``features``: ``convI_J`` and ``reluI_J`` for every conv, ``poolI``."""
    names: dict[str, int] = {}
    index, block, conv = 0, 1, 1
    for item in CONFIG:
        if item == "M":
            names[f"pool{block}"] = index
            index += 1
            block, conv = block + 1, 1
        else:
            names[f"conv{block}_{conv}"] = index
            names[f"relu{block}_{conv}"] = index + 1
            index += 2
            conv += 1
    return names


LAYERS = layer_indices()


class VGGWeightsError(RuntimeError):
    """The VGG19 ImageNet weights could not be found, downloaded or loaded."""


class VGG19Features(nn.Module):
    """Frozen VGG19 ``features`` returning the requested maps as a dict by layer name.

    Args:
        layers: names such as ``"relu2_2"`` (phi_2,2) and ``"relu5_4"`` (phi_5,4); any
            ``convI_J``, ``reluI_J`` or ``poolI`` of VGG19 is accepted.
        weights: a torchvision-format state dict file. When omitted, the
            ``SRMODELS_VGG19_WEIGHTS`` environment variable, then torchvision's URL
            through ``torch.hub`` (cached in ``~/.cache/torch/hub/checkpoints``).
        pretrained: False builds the network with random weights and loads nothing;
            only for tests and speed measurements, never for a real content loss.
    """

    # ImageNet normalisation, registered as (non-persistent) buffers in __init__.
    mean: torch.Tensor
    std: torch.Tensor

    def __init__(
        self,
        layers: Iterable[str] = ("relu2_2", "relu5_4"),
        weights: str | Path | None = None,
        *,
        pretrained: bool = True,
    ) -> None:
        super().__init__()
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("VGG19Features needs at least one layer name")
        unknown = [name for name in self.layers if name not in LAYERS]
        if unknown:
            raise ValueError(
                f"unknown VGG19 layer(s) {unknown}; known: {', '.join(sorted(LAYERS))}"
            )
        self.indices = {name: LAYERS[name] for name in self.layers}
        last = max(self.indices.values())
        modules: list[nn.Module] = []
        in_channels = 3
        for item in CONFIG:
            if len(modules) > last:
                break
            if item == "M":
                modules.append(nn.MaxPool2d(2, 2))
            else:
                modules += [nn.Conv2d(in_channels, int(item), 3, padding=1), nn.ReLU()]
                in_channels = int(item)
        self.features = nn.Sequential(*modules[: last + 1])
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        if pretrained:
            self.load_torchvision_state_dict(load_vgg19_state_dict(weights))
        self.requires_grad_(False)
        self.eval()

    def train(self, mode: bool = True) -> VGG19Features:
        # Always frozen: a trainer calling model.train() on its loss modules must not
        # flip this one (it has no dropout or BN today, but the contract is "frozen").
        return super().train(False)

    def load_torchvision_state_dict(self, state: Mapping[str, torch.Tensor]) -> None:
        """Load the ``features.N`` entries this truncated network uses; ignore the rest."""
        own = self.features.state_dict()
        wanted = {f"features.{key}" for key in own}
        missing = sorted(wanted - set(state), key=_natural)
        if missing:
            raise VGGWeightsError(
                f"the VGG19 state dict lacks {', '.join(missing[:4])}"
                f"{' ...' if len(missing) > 4 else ''}: expected torchvision's layout "
                f"({VGG19_FILE}, keys features.N.weight / features.N.bias)"
            )
        subset = {key[len("features.") :]: state[key] for key in wanted}
        for key, tensor in subset.items():
            if tuple(tensor.shape) != tuple(own[key].shape):
                raise VGGWeightsError(
                    f"VGG19 weight features.{key} has shape {tuple(tensor.shape)}, "
                    f"expected {tuple(own[key].shape)}: not a torchvision VGG19 state dict"
                )
        self.features.load_state_dict(subset)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Maps for ``self.layers`` of RGB images in [0, 1], keyed by layer name."""
        x = (x - self.mean) / self.std
        wanted = {index: name for name, index in self.indices.items()}
        out: dict[str, torch.Tensor] = {}
        for index, module in enumerate(self.features):
            x = module(x)
            if index in wanted:
                out[wanted[index]] = x
        return out


def _natural(key: str) -> tuple[int, str]:
    parts = key.split(".")
    return (int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1, key)


def vgg19_setting() -> Path | None:
    """The ``SRMODELS_VGG19_WEIGHTS`` file, the one place that reads the setting."""
    value = os.environ.get(WEIGHTS_ENV, "").strip()
    return Path(value).expanduser() if value else None


def load_vgg19_state_dict(weights: str | Path | None = None) -> dict[str, torch.Tensor]:
    """The torchvision VGG19 ImageNet state dict: from ``weights``, the environment, or the URL.

    Raises VGGWeightsError naming the file and how to supply it when none can be had.
    """
    path = weights if weights is not None else vgg19_setting()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise VGGWeightsError(
                f"VGG19 weights file {path} does not exist (it should be torchvision's "
                f"{VGG19_FILE}, from {VGG19_URL})"
            )
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise VGGWeightsError(
                f"cannot read VGG19 weights {path}: {exc} (expected torchvision's {VGG19_FILE})"
            ) from exc
    else:
        try:
            state = torch.hub.load_state_dict_from_url(
                VGG19_URL, map_location="cpu", progress=True, check_hash=True
            )
        except Exception as exc:
            raise VGGWeightsError(
                f"cannot download the VGG19 ImageNet weights ({exc.__class__.__name__}: {exc}). "
                f"Download {VGG19_FILE} from {VGG19_URL} on a connected machine and pass it "
                f"with the weights argument (--vgg-weights PATH) or the {WEIGHTS_ENV} "
                f"environment variable, or put it in torch.hub's cache "
                f"({Path(torch.hub.get_dir()) / 'checkpoints' / VGG19_FILE})"
            ) from exc
    if not isinstance(state, Mapping):
        raise VGGWeightsError(
            f"VGG19 weights {path or VGG19_URL} hold a {type(state).__name__}, "
            "not a state dict (save model.state_dict(), as torchvision does)"
        )
    return dict(state)
