"""What the catalog accepts as names and upscaling factors, wherever they come from.

Dataset and image names become folder and file names in storage, so one rule holds
for the import commands and for the datasets ``import_ratings --create`` names.
"""

from __future__ import annotations

import re

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
NAME_RULE = (
    "letters, digits, '.', '_', '+', '-', starting with a letter or digit, at most 100 characters"
)
MIN_SCALE = 1
MAX_SCALE = 16


def scale_problem(scale: int) -> str | None:
    """Why ``scale`` is not an upscaling factor the catalog records, or None when it is."""
    if isinstance(scale, bool) or not isinstance(scale, int):
        return f"--scale {scale!r}: a whole number between {MIN_SCALE} and {MAX_SCALE}"
    if not MIN_SCALE <= scale <= MAX_SCALE:
        return f"--scale {scale}: must be between {MIN_SCALE} and {MAX_SCALE}"
    return None
