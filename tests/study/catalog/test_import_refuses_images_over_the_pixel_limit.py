"""Imports refuse an image over IMAGE_MAX_PIXELS from its header, naming the file.

A flat 9600x9600 PNG is 270 KB on disk; decoded and resized it needed 11 GB before the
import failed. With the default limit the import refuses it and stays under 1 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from study.catalog.models import Dataset, Output
from study.catalog.services import import_dataset, import_outputs
from tests.conftest import subprocess_env
from tests.services import ROOT
from tests.srmodels.png_helpers import write_flat_png
from tests.study.catalog.images import stored_files, write_folder

GIB = 1024**3


def _rss(pid: int) -> int:
    """The resident memory of process ``pid`` in bytes (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "")
    return int(line.split()[1]) * 1024 if line else 0


def run_measured(command: list[str], env: dict[str, str], log: Path, limit: int):
    """Run ``command``; its exit code, output and peak RSS. Killed if it passes ``limit``."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    killed = threading.Event()

    def watch() -> None:  # the code before the limit grew to 11 GB: stop it early
        while process.poll() is None:
            if _rss(process.pid) > limit:
                killed.set()
                process.kill()
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    watcher.join()
    return process.returncode, log.read_text(errors="replace"), usage.ru_maxrss * 1024, killed


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_it_refuses_a_9600_square_png_in_under_1_gb(tmp_path, settings):
    folder = tmp_path / "photos"
    folder.mkdir()
    huge = write_flat_png(folder / "huge.png", 9600, 9600)
    assert huge.stat().st_size < 400_000
    assert settings.IMAGE_MAX_PIXELS == 8192 * 8192  # the default

    code, output, peak, killed = run_measured(
        [sys.executable, "manage.py", "import_dataset", "Huge", str(folder), "--workers", "1"],
        subprocess_env(),
        tmp_path / "import.log",
        limit=2 * GIB,
    )

    assert not killed.is_set(), f"killed at over 2 GB:\n{output}"
    assert peak < GIB, f"peak {peak / GIB:.2f} GB"
    assert code == 1, output
    assert (
        f"{huge}: 9600x9600 is 92,160,000 pixels, more than the limit of 67,108,864 pixels "
        "(IMAGE_MAX_PIXELS)"
    ) in output
    assert "Traceback" not in output
    assert not Dataset.objects.exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


@pytest.mark.django_db
def test_it_applies_the_setting_to_every_imported_file(tmp_path, settings, media_root):
    settings.IMAGE_MAX_PIXELS = 2000
    write_folder(tmp_path / "hr", {"fits": (32, 40), "big": (48, 48)})

    report = import_dataset(name="D", directory=tmp_path / "hr", scale=4, workers=1)

    assert report.imported == ["fits"]
    assert report.failed == [
        (
            "big",
            f"{tmp_path / 'hr' / 'big.png'}: 48x48 is 2,304 pixels, more than the limit of "
            "2,000 pixels (IMAGE_MAX_PIXELS)",
        )
    ]
    # A published output is checked the same way, before its size is compared to HR.
    write_flat_png(tmp_path / "fits.png", 64, 64)
    report = import_outputs(
        dataset="D", method="selfexsr", directory=tmp_path, pattern="{name}.png",
        rated=lambda output_id: False,
    )  # fmt: skip
    assert report.failed == [
        (
            "fits",
            f"{tmp_path / 'fits.png'}: 64x64 is 4,096 pixels, more than the limit of "
            "2,000 pixels (IMAGE_MAX_PIXELS)",
        )
    ]
    assert not Output.objects.filter(method__key="selfexsr").exists()
