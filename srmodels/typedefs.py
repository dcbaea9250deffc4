"""Type aliases shared by srmodels' modules, named once.

mypy runs with ``disallow_any_explicit``: a bare ``np.ndarray`` means "any dtype" (its
type parameters default to ``Any``), so signatures name the dtype they hold instead.
``JSONDict`` is the one ``Any`` srmodels allows: metadata and checkpoints read back from
JSON or ``torch.load``, whose shape is only known when the code checks it at run time.
"""

from __future__ import annotations

from typing import Any, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

UInt8Array: TypeAlias = npt.NDArray[np.uint8]  # images: HxWx3 RGB (or HxW), 0..255
Float32Array: TypeAlias = npt.NDArray[np.float32]
Float64Array: TypeAlias = npt.NDArray[np.float64]
Int64Array: TypeAlias = npt.NDArray[np.int64]
# Pixel values as callers hold them: 8-bit images, or planes computed in float.
PixelArray: TypeAlias = npt.NDArray[np.uint8 | np.float32 | np.float64]
# The dtype of a function that returns what it was given (crops, resizes).
PixelT = TypeVar("PixelT", np.uint8, np.float32, np.float64)

JSONDict: TypeAlias = dict[str, Any]  # type: ignore[explicit-any]  # see the module doc
