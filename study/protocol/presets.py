"""Named study designs: ``create_study NAME --preset KEY`` builds them from this TOML.

``srgan2017`` is the MOS study of Ledig et al., CVPR 2017, section 3.3: Set5 and
Set14 with all 12 versions, BSD100 with the 9 versions rated there (no
SRResNet-VGG22, SRGAN-MSE or SRGAN-VGG22; the methods and their order come from
:mod:`study.srgan2017`), 26 raters, calibration on 20 BSD300
training images shown as NN = 1 and HR = 5, and a test-retest block of 10 BSD100
images shown twice. 12 x 19 + 9 x 100 = 1128 rated items per rater, plus the 10
repeats. The paper does not say which method was repeated; the preset repeats
SRGAN (srgan-vgg54), the paper's headline method. It sets no session limits (the
paper reports none).
"""

from __future__ import annotations

from study import srgan2017
from study.protocol.config import StudyConfig, parse_config


def _methods(keys: tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{key}"' for key in keys) + "]"


SRGAN2017 = f"""\
# The MOS study of Ledig et al., "Photo-Realistic Single Image Super-Resolution
# Using a Generative Adversarial Network", CVPR 2017, section 3.3.
title = "SRGAN 2017 MOS study (x4)"
seed = 2017
raters = 26

[[arms]]
dataset = "Set5"
methods = {_methods(srgan2017.METHODS)}

[[arms]]
dataset = "Set14"
methods = {_methods(srgan2017.METHODS)}

[[arms]]
dataset = "BSD100"
methods = {_methods(srgan2017.BSD100_METHODS)}

[calibration]
dataset = "BSD300-train"
images = 20
low = {{ method = "nearest", score = 1 }}
high = {{ method = "hr", score = 5 }}

[retest]
dataset = "BSD100"
method = "srgan-vgg54"
images = 10
"""

PRESETS: dict[str, str] = {"srgan2017": SRGAN2017}


def preset_source(key: str) -> str:
    """The TOML text of a preset (stored with the study, like a file would be)."""
    try:
        return PRESETS[key]
    except KeyError:
        raise KeyError(f"unknown preset {key!r} (known: {', '.join(sorted(PRESETS))})") from None


def load_preset(key: str) -> StudyConfig:
    return parse_config(preset_source(key), source=f"preset {key}")
