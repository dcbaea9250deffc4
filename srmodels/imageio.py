"""Image files in and out: validated 8-bit RGB arrays, PNG written atomically.

Every image the project touches goes through :func:`load_image` / :func:`decode_image`,
so the rest of the code can assume one representation: a ``numpy.uint8`` array of shape
HxWx3 in RGB order. Files that are not like that are converted, and the conversions are
deliberate and documented, because each one changes what a metric measures:

- greyscale (``L``, 1-bit) -> RGB with the grey value replicated in R, G and B, so its
  BT.601 Y equals MATLAB's for the same file read by ``imread`` and expanded to RGB;
- greyscale + alpha (``LA``) and RGBA -> RGB with the alpha channel **dropped** (not
  composited over a background): the colour values stored in the file are what a
  super-resolution method saw and what a rater is shown, whatever the transparency;
- palette (``P``) -> RGB through the palette (palette transparency is dropped too);
- 16 bits per sample (PNG/TIFF greyscale, RGB, RGBA) -> 8 bits as ``round(v / 257)``,
  which maps 0 -> 0 and 65535 -> 255 exactly (Pillow alone would keep only the high
  byte, a truncation);
- other modes Pillow can convert (CMYK, YCbCr, ...) -> Pillow's RGB conversion.

EXIF orientation is ignored, as MATLAB's ``imread`` ignores it: pixels are used in
stored order, so an HR file and its published outputs stay aligned. Animated files give
their first frame.

Anything that cannot be decoded (a text file named ``.png``, a truncated or corrupt PNG,
an empty file, an unsupported format) raises :class:`ImageError`, whose message always
names the file.

``max_pixels`` (of :func:`decode_image` and :func:`load_image`) refuses an image with more
pixels than that with :class:`ImageTooLargeError`, from the size in its header, before
any pixel is decoded: a flat 9600x9600 PNG is 269 KB on disk and 276 MB decoded, and the
float work that follows needs many times that. Pillow's own ceiling
(``Image.MAX_IMAGE_PIXELS`` x 2, about 179 megapixels) applies in any case.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from srmodels.typedefs import Int64Array, UInt8Array

if TYPE_CHECKING:
    from PIL.ImageFile import ImageFile

# 16-bit PNG colour images: Pillow decodes them to 8 bits keeping only the high byte.
# Decoding the same data a second time with the little-endian unpacker of the same pixel
# size yields the low bytes, so the full 16-bit values can be rebuilt and rounded properly.
_HIGH_LOW_RAWMODES = {
    "RGB;16B": "RGB;16L",
    "RGBA;16B": "RGBA;16L",
}
_PIXEL_BYTES_RAWMODE = {"LA;16B": "RGBA"}  # 4 bytes per pixel copied verbatim
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ImageError(ValueError):
    """An image file that cannot be read or written; the message names the file."""


class ImageTooLargeError(ImageError):
    """An image with more pixels than the caller's ``max_pixels``; nothing was decoded."""


def _check_pixels(image: ImageFile, *, name: str, max_pixels: int | None) -> None:
    """Refuse ``image`` from its header size alone (Pillow decodes nothing until load)."""
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        raise ImageTooLargeError(
            f"{name}: {width}x{height} is {width * height:,} pixels, more than the limit "
            f"of {max_pixels:,}"
        )


def _to_uint8_from_16bit(values: npt.NDArray[np.uint16] | Int64Array) -> UInt8Array:
    return np.floor(values.astype(np.float64) / 257.0 + 0.5).astype(np.uint8)


def _drop_alpha(array: UInt8Array) -> UInt8Array:
    return np.ascontiguousarray(array[..., :3])


def _grey_to_rgb(grey: UInt8Array) -> UInt8Array:
    return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))


def _decode_16bit_png(data: bytes, image: ImageFile) -> UInt8Array | None:
    """Full-precision decode of a 16-bit PNG colour or grey+alpha image, or None if the
    image is not one. Relies on Pillow's tile/rawmode layout (pinned, and tested)."""
    if image.format != "PNG" or len(image.tile) != 1:
        return None
    tile = image.tile[0]
    rawmode = tile.args[0] if isinstance(tile.args, tuple) else tile.args
    if rawmode in _HIGH_LOW_RAWMODES:
        image.load()
        high = np.asarray(image).astype(np.uint16)
        with Image.open(io.BytesIO(data)) as again:
            again.tile = [again.tile[0]._replace(args=(_HIGH_LOW_RAWMODES[rawmode],))]
            again.load()
            low = np.asarray(again).astype(np.uint16)
        return _drop_alpha(_to_uint8_from_16bit(high * 256 + low))
    if rawmode in _PIXEL_BYTES_RAWMODE:
        image.tile = [tile._replace(args=(_PIXEL_BYTES_RAWMODE[rawmode],))]
        image.load()
        raw = np.asarray(image).astype(np.uint16)  # grey high, grey low, alpha high, low
        return _grey_to_rgb(_to_uint8_from_16bit(raw[..., 0] * 256 + raw[..., 1]))
    return None


def _to_rgb_array(data: bytes, image: ImageFile) -> UInt8Array:
    wide = _decode_16bit_png(data, image)
    if wide is not None:
        return wide
    image.load()
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image).copy()
    if mode in ("RGBA", "RGBa", "RGBX"):
        return _drop_alpha(np.asarray(image.convert("RGBA") if mode == "RGBa" else image))
    if mode == "L":
        return _grey_to_rgb(np.asarray(image))
    if mode == "LA":
        return _grey_to_rgb(np.asarray(image)[..., 0])
    if mode == "1":
        return _grey_to_rgb(np.asarray(image.convert("L")))
    if mode.startswith("I;16") or mode == "I":
        values = np.clip(np.asarray(image).astype(np.int64), 0, 65535)
        return _grey_to_rgb(_to_uint8_from_16bit(values))
    if mode in ("P", "PA"):
        return _drop_alpha(np.asarray(image.convert("RGBA")))
    if mode == "F":
        raise ValueError("floating-point images are not supported; save it as 8 or 16 bits")
    return np.asarray(image.convert("RGB")).copy()


def decode_image(data: bytes, *, name: str, max_pixels: int | None = None) -> UInt8Array:
    """Decode an encoded image (PNG, BMP, JPEG, TIFF, ...) to a uint8 HxWx3 RGB array.

    ``name`` is the file name used in error messages (the data may not come from a file).
    An image of more than ``max_pixels`` pixels raises :class:`ImageTooLargeError`
    before it is decoded.
    """
    if not data:
        raise ImageError(f"{name}: the file is empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            _check_pixels(image, name=name, max_pixels=max_pixels)
            array = _to_rgb_array(data, image)
    except ImageTooLargeError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{name}: refused, too many pixels ({exc})") from None
    except UnidentifiedImageError:
        if data.startswith(_PNG_SIGNATURE):
            raise ImageError(f"{name}: cannot decode the image (truncated PNG header)") from None
        raise ImageError(f"{name}: not an image file (or a format Pillow cannot read)") from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as exc:
        detail = str(exc) or type(exc).__name__
        raise ImageError(f"{name}: cannot decode the image ({detail})") from None
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8 or 0 in array.shape:
        raise ImageError(f"{name}: decoded to an unexpected array {array.dtype} {array.shape}")
    return array


def load_image(path: str | os.PathLike[str], *, max_pixels: int | None = None) -> UInt8Array:
    """Read an image file as a uint8 HxWx3 RGB array (conversions: see the module doc).

    ``max_pixels``: see :func:`decode_image`.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ImageError(f"{path}: is a directory, not an image file") from None
    except OSError as exc:
        raise ImageError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return decode_image(data, name=str(path), max_pixels=max_pixels)


def is_greyscale_file(path: str | os.PathLike[str]) -> bool:
    """Whether the image file stores one grey channel (with or without alpha).

    Only the header is read. The evaluation code of Huang et al. and of the SRGAN paper
    treats such files differently from RGB files (see ``metrics.evaluate_pair(grey=...)``),
    and that information is gone once :func:`load_image` has expanded them to RGB.
    """
    path = Path(path)
    try:
        with Image.open(path) as image:
            if image.mode in ("1", "L", "LA", "La", "I", "F") or image.mode.startswith("I;16"):
                return True
            rawmode = image.tile[0].args if image.tile else ""
            rawmode = rawmode[0] if isinstance(rawmode, tuple) else rawmode
            return isinstance(rawmode, str) and rawmode.startswith("LA;")  # 16-bit grey+alpha
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file (or a format Pillow cannot read)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"{path}: cannot read the image ({exc})") from None


def _check_image(image: UInt8Array) -> UInt8Array:
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got dtype {array.dtype}")
    if array.ndim != 3 or array.shape[2] != 3 or 0 in array.shape:
        raise ValueError(f"expected an HxWx3 RGB image, got shape {array.shape}")
    return np.ascontiguousarray(array)


def encode_png(image: UInt8Array, *, compress_level: int = 6) -> bytes:
    """PNG bytes of a uint8 HxWx3 RGB array.

    ``compress_level`` is zlib's 0..9: the pixels are identical at every level; lower
    levels encode several times faster and make larger files (level 1 is a good choice
    when PNG encoding bounds a GPU pipeline).
    """
    if not 0 <= int(compress_level) <= 9:
        raise ValueError(f"compress_level must be 0..9, got {compress_level}")
    buffer = io.BytesIO()
    Image.fromarray(_check_image(image), "RGB").save(
        buffer, format="PNG", compress_level=int(compress_level)
    )
    return buffer.getvalue()


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    Readers see either the old file or the complete new one, never a truncated file: the
    bytes go to ``<dir>/.<name>.tmp-XXXXXXXX``, are flushed to disk, then renamed over the
    target (``os.replace`` is atomic on one filesystem). On any failure the temporary file
    is removed.
    """
    path = Path(path)
    directory = path.parent
    while True:
        temp = directory / f".{path.name}.tmp-{secrets.token_hex(4)}"
        try:
            # 0o666 filtered by the umask: the same permissions a plain open() would give.
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def save_png(path: str | os.PathLike[str], image: UInt8Array, *, compress_level: int = 6) -> None:
    """Encode ``image`` (uint8 HxWx3 RGB) as PNG and write it atomically to ``path``."""
    data = encode_png(image, compress_level=compress_level)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise ImageError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
