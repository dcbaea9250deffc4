"""The bytes a rater's browser receives for a stimulus: its PNG, at its photograph's length.

Within one photograph the PNG size orders the methods (a blocky nearest-neighbour
image compresses far better than the HR photograph), so ``Content-Length``, the
browser's network panel or ``performance.getEntries()`` would tell the method of an
image without looking at it. Every stimulus of one photograph in a study is therefore
served at one byte length: the largest of those files plus a chunk of
``MIN_PADDING`` bytes, the difference carried by a private ancillary PNG chunk
(``paDd``) inserted before ``IEND``. Decoders skip such chunks (the pixels are
unchanged), and its bytes are random, so no two responses are equal byte for byte,
not even the two presentations of a retest stimulus (and a transparent compression
by a proxy cannot shrink the padding away).

The padding hides the size from what the transfer shows. It does not stop a script
that parses the PNG's chunks, which could as well look at the pixels themselves.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib

from django.core.cache import cache

from study.protocol.models import Stimulus

# The padding chunk's type: ancillary (p), private (a), reserved bit clear (D), safe
# to copy (d), in the PNG specification's letter-case convention.
PAD_TYPE = b"paDd"
# Length, type and CRC: what a chunk costs besides its data.
CHUNK_OVERHEAD = 12
# Random bytes even the largest file of a photograph carries.
MIN_PADDING = 16
_IEND = b"\x00\x00\x00\x00IEND"
_CACHE_SECONDS = 3600


def padded_png(data: bytes, *, length: int) -> bytes:
    """``data`` (a PNG file) made ``length`` bytes long by a ``paDd`` chunk before IEND.

    Every file gets the chunk (of 0 or more data bytes), so ``length`` must be at
    least ``len(data) + CHUNK_OVERHEAD``; anything shorter raises ``ValueError``.
    """
    size = length - len(data) - CHUNK_OVERHEAD
    if size < 0:
        raise ValueError(f"a PNG of {len(data)} bytes cannot be served in {length} bytes")
    padding = os.urandom(size)
    chunk = b"".join(
        (
            struct.pack(">I", size),
            PAD_TYPE,
            padding,
            struct.pack(">I", zlib.crc32(PAD_TYPE + padding)),
        )
    )
    at = data.rfind(_IEND)
    if at < 0:  # not a PNG we wrote; the chunk goes last, where decoders never look
        at = len(data)
    return data[:at] + chunk + data[at:]


def photograph_length(*, stimulus: Stimulus, fresh: bool = False) -> int:
    """The byte length every stimulus of ``stimulus``'s photograph in its study is served at.

    The largest file of the photograph's stimuli (every role: rated, calibration,
    reference) plus a chunk of ``MIN_PADDING`` bytes. File sizes are read from storage once per
    set of files: the cache key names each file and its checksum, so a replaced
    output makes a new key; ``fresh`` reads the sizes again all the same.
    """
    photograph = Stimulus.objects.filter(
        study_id=stimulus.study_id, output__image_id=stimulus.output.image_id
    )
    files = sorted(photograph.values_list("output__file", "output__checksum").distinct())
    digest = hashlib.sha256(repr(files).encode()).hexdigest()
    key = f"study.rating.photograph-length:{stimulus.study_id}:{digest}"
    length = None if fresh else cache.get(key)
    if length is None:
        storage = stimulus.output.file.storage
        length = max(storage.size(name) for name, _ in files) + CHUNK_OVERHEAD + MIN_PADDING
        cache.set(key, length, _CACHE_SECONDS)
    return int(length)


def served_png(*, stimulus: Stimulus) -> bytes:
    """The stimulus' PNG as a rater receives it: padded to its photograph's length."""
    with stimulus.output.file.open("rb") as handle:
        data = handle.read()
    length = photograph_length(stimulus=stimulus)
    if len(data) + CHUNK_OVERHEAD + MIN_PADDING > length:  # the file changed meanwhile
        length = photograph_length(stimulus=stimulus, fresh=True)
    return padded_png(data, length=length)
