from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def media_root(_media_root: Path) -> Path:
    """The test's MEDIA_ROOT (set by the suite's autouse fixture), to inspect stored files."""
    return _media_root
