"""The facts of Ledig et al., "Photo-Realistic Single Image Super-Resolution Using a
Generative Adversarial Network", CVPR 2017, that the platform reproduces: one place.

The preset (``study.protocol.presets``), the tables and figures (``study.analysis``) and
the simulated raters read these; nothing here imports an app, so every layer may use it
(``study.srgan2017`` sits beside ``srmodels`` at the bottom of the layering).
"""

from __future__ import annotations

from collections.abc import Iterable

# The 12 versions of every Set5 / Set14 image, in the paper's order (Tables 1 and 2).
METHODS = (
    "nearest",
    "bicubic",
    "srcnn",
    "selfexsr",
    "drcn",
    "espcn",
    "srresnet-mse",
    "srresnet-vgg22",
    "srgan-mse",
    "srgan-vgg22",
    "srgan-vgg54",
    "hr",
)
# The loss variants of Table 1 that the paper rated on Set5 and Set14 only.
TABLE1_ONLY = frozenset({"srresnet-vgg22", "srgan-mse", "srgan-vgg22"})
# BSD100 was rated with 9 versions: the 12 less the Table-1-only loss variants.
BSD100_METHODS = tuple(m for m in METHODS if m not in TABLE1_ONLY)
# The paper's datasets in its order (the tables list Set5 first; Figure 5 shows BSD100).
DATASETS = ("Set5", "Set14", "BSD100")
# The reference every other method is tested against in the Wilcoxon tables.
REFERENCE_METHOD = "hr"

# Table 1: the loss variants, grouped by how the generator was trained.
TABLE1 = (
    ("srresnet-mse", "SRResNet", "MSE"),
    ("srresnet-vgg22", "SRResNet", "VGG22"),
    ("srgan-mse", "SRGAN", "MSE"),
    ("srgan-vgg22", "SRGAN", "VGG22"),
    ("srgan-vgg54", "SRGAN", "VGG54"),
)
# Table 2: the comparison with the state of the art, and its column names.
TABLE2 = (
    ("nearest", "NN"),
    ("bicubic", "Bicubic"),
    ("srcnn", "SRCNN"),
    ("selfexsr", "SelfExSR"),
    ("drcn", "DRCN"),
    ("espcn", "ESPCN"),
    ("srresnet-mse", "SRResNet"),
    ("srgan-vgg54", "SRGAN"),
    ("hr", "HR"),
)

# The paper's MOS (Tables 1 and 2; REFERENCE.md section 2): the default planted
# quality of a simulated rater for each dataset and method.
MOS: dict[str, dict[str, float]] = {
    "Set5": {
        "nearest": 1.28,
        "bicubic": 1.97,
        "srcnn": 2.57,
        "selfexsr": 2.65,
        "drcn": 3.26,
        "espcn": 2.89,
        "srresnet-mse": 3.37,
        "srresnet-vgg22": 3.46,
        "srgan-mse": 3.77,
        "srgan-vgg22": 3.78,
        "srgan-vgg54": 3.58,
        "hr": 4.32,
    },
    "Set14": {
        "nearest": 1.20,
        "bicubic": 1.80,
        "srcnn": 2.26,
        "selfexsr": 2.34,
        "drcn": 2.84,
        "espcn": 2.52,
        "srresnet-mse": 2.98,
        "srresnet-vgg22": 3.15,
        "srgan-mse": 3.43,
        "srgan-vgg22": 3.57,
        "srgan-vgg54": 3.72,
        "hr": 4.32,
    },
    "BSD100": {
        "nearest": 1.11,
        "bicubic": 1.47,
        "srcnn": 1.87,
        "selfexsr": 1.89,
        "drcn": 2.12,
        "espcn": 2.01,
        "srresnet-mse": 2.29,
        "srgan-vgg54": 3.56,
        "hr": 4.46,
    },
}


def method_order(methods: Iterable[str]) -> list[str]:
    """``methods`` in the paper's order, methods it does not know after, sorted."""
    present = set(methods)
    return [m for m in METHODS if m in present] + sorted(present - set(METHODS))


def dataset_order(datasets: Iterable[str]) -> list[str]:
    """``datasets`` as the paper lists them (Set5, Set14, BSD100), others after, sorted."""
    present = set(datasets)
    return [d for d in DATASETS if d in present] + sorted(present - set(DATASETS))
