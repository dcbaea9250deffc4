"""Crowd quality control (``[quality]``): the attention image, and how checks are judged.

Gold items are outputs the catalog has (the NN and HR versions of photographs no arm
rates), attention items are made here: a photograph with a plain instruction drawn on
it ("Please select 3 for this image"), stored as an output of the method
``attention-<score>`` of its dataset, so it is served, padded and blinded like every
other stimulus. Both are rated on the rating page like any item; what a rater answered
is judged by :func:`failed_checks`, the one rule the done page (the rater's own
answers, when the last item is stored) and the exports (every rater) share.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from study.catalog.imaging import COMPRESS_LEVEL, RenderedOutput
from study.protocol.config import Quality, config_from_dict

GOLD = "gold"
ATTENTION = "attention"
ROLES = (GOLD, ATTENTION)
# The method of an attention image asking for score N (an external method of the catalog).
ATTENTION_METHOD = "attention-{score}"
ATTENTION_TEXT = "Please select {score} for this image"


def attention_method(score: int) -> str:
    return ATTENTION_METHOD.format(score=score)


def render_attention(photograph: bytes, *, score: int) -> RenderedOutput:
    """``photograph`` (PNG bytes) with "Please select <score> for this image" drawn on it.

    The instruction sits on a plain light band across the middle, in dark text large
    enough to read at the image's true pixel size; the image keeps its size, so on
    the page it looks like any other item until the rater reads it.
    """
    with Image.open(io.BytesIO(photograph)) as opened:
        image = opened.convert("RGB")
    width, height = image.size
    text = ATTENTION_TEXT.format(score=score)
    size = max(10, min(height // 6, width // 14))
    font = ImageFont.load_default(size=size)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    while right - left > width * 0.92 and size > 8:
        size -= 1
        font = ImageFont.load_default(size=size)
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    text_width, text_height = right - left, bottom - top
    pad = max(4, size // 2)
    band_top = (height - text_height) // 2 - pad
    draw.rectangle((0, band_top, width, band_top + text_height + 2 * pad), fill=(245, 245, 245))
    draw.text(
        ((width - text_width) // 2 - left, band_top + pad - top), text, font=font, fill=(17, 17, 17)
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=COMPRESS_LEVEL)
    png = buffer.getvalue()
    return RenderedOutput(
        png=png,
        checksum=hashlib.sha256(png).hexdigest(),
        width=width,
        height=height,
        psnr=None,
        ssim=None,
        ssim_daala=None,
    )


def failed_checks(answers: Iterable[tuple[str, int, int | None, int | None]]) -> list[str]:
    """The checks a rater failed, from ``(role, score, expected_low, expected_high)`` rows.

    ``gold`` fails when any gold item's score is outside its accepted range (the low
    method above 2, or the high one below 4), ``attention`` when any attention item's
    score is not the one the image asks for. Sorted; empty when every check passed.
    """
    failed: set[str] = set()
    for role, score, low, high in answers:
        if role not in ROLES:
            continue
        if (low is not None and score < low) or (high is not None and score > high):
            failed.add(role)
    return sorted(failed)


def quality_of(config: Mapping[str, Any]) -> Quality | None:
    """A study's ``[quality]`` as stored in ``Study.config`` (None: the study has none)."""
    if not config.get("quality"):
        return None
    data = {key: value for key, value in config.items() if key != "resolved"}
    return config_from_dict(data).quality


def rejection(quality: Quality | None, failed: Iterable[str]) -> list[str]:
    """The rules of ``reject_if`` among ``failed`` checks or flags, in ``reject_if``'s order."""
    if quality is None:
        return []
    failed = set(failed)
    return [rule for rule in quality.reject_if if rule in failed]
