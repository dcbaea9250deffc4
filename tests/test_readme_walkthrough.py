"""The README's "A study from raw images to the paper's tables", run as a new user runs it.

Every shell line of the section's code blocks, in order, in one bash with ``set -e``,
with its TOML saved as ``study.toml``: only ``DATA=`` is pointed at the datasets this
run has (``SHARED_DATASETS``, by default ``../shared/datasets`` as the README says), and
the working directory is a temporary one holding ``manage.py`` and ``.venv`` (links to
the repository's), so the files the commands write (plans, links, the export) and the
database (``DATABASE_URL``) stay out of the repository. The closing line of the
section (``scripts/reproduce_srgan.sh``) has a test of its own.

Then the ``python manage.py`` lines of ``scripts/reproduce_srgan.sh``'s header (open
the study, hand out its links) run on the ``srgan2017`` study the README built.
"""

from __future__ import annotations

import csv
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import ROOT, require_datasets

pytestmark = pytest.mark.slow

SECTION = "## A study from raw images to the paper's tables"
# Shell lines of the section that other tests cover.
OWN_TESTS = ("scripts/reproduce_srgan.sh",)


def walkthrough() -> tuple[list[str], str]:
    """The section's shell lines (in order) and its TOML block."""
    readme = (ROOT / "README.md").read_text()
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + len(SECTION))
    lines: list[str] = []
    tomls: list[str] = []
    current: list[str] | None = None
    language = ""
    for raw in readme[start:end].splitlines():
        stripped = raw.strip()
        if current is None and stripped.startswith("```"):
            current, language = [], stripped[3:]
        elif current is not None and stripped == "```":
            if language == "toml":
                tomls.append("\n".join(current))
            else:
                lines.extend(line for line in current if line)
            current = None
        elif current is not None:
            current.append(stripped)
    assert len(tomls) == 1, "the section shows one study definition"
    return [line for line in lines if not line.startswith(OWN_TESTS)], tomls[0] + "\n"


def script_header_commands() -> list[str]:
    """The ``python manage.py`` lines of reproduce_srgan.sh's header comment."""
    header = (ROOT / "scripts" / "reproduce_srgan.sh").read_text().split("set -euo", 1)[0]
    found = re.findall(r"^#\s+(python manage\.py [^(]+?)\s*(?:\(.*)?$", header, flags=re.M)
    return found


def working_directory(tmp_path: Path) -> Path:
    """A folder with ``manage.py`` and ``.venv`` as in the repository (links)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "manage.py").symlink_to(ROOT / "manage.py")
    if (ROOT / ".venv" / "bin" / "activate").exists():
        (work / ".venv").symlink_to(ROOT / ".venv")
    else:  # a test run without the Makefile's environment: this Python stands in for it
        bin_dir = work / ".venv" / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "python").symlink_to(sys.executable)
        (bin_dir / "activate").write_text(f'PATH="{bin_dir}:$PATH"\n')
    return work


def run(script: str, work: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for name in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG", "SITE_URL"):
        env.pop(name, None)
    return subprocess.run(
        ["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=1800
    )


def test_it_runs_the_readme_from_raw_images_to_the_export(tmp_path):
    data = require_datasets()
    lines, toml = walkthrough()
    assert lines[:3] == [
        ". .venv/bin/activate",
        "export DEBUG=1                 # development settings; in production set SECRET_KEY",
        "DATA=../shared/datasets",
    ]
    lines[2] = f"DATA={data}"
    header = script_header_commands()
    assert header == [
        "python manage.py open_study srgan2017",
        "python manage.py invite_raters srgan2017 --out links.csv",
    ]
    work = working_directory(tmp_path)
    (work / "study.toml").write_text(toml)
    script = "\n".join(["set -euo pipefail -x", *lines, *header])
    result = run(script, work, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-4000:]

    # The study of the README: 26 places, every one filled by the rehearsal raters.
    mos = list(csv.DictReader((work / "exports" / "mystudy" / "mos.csv").open()))
    assert [(row["dataset"], row["method"], row["n"]) for row in mos] == [
        ("Set5", method, "130") for method in ("nearest", "bicubic", "srcnn", "espcn", "hr")
    ]
    srcnn = next(row for row in mos if row["method"] == "srcnn")
    assert float(srcnn["psnr"]) == pytest.approx(30.08, abs=0.01)  # Huang et al.'s outputs
    assert (work / "exports" / "mystudy" / "table2.tex").stat().st_size > 0
    assert (work / "exports" / "mystudy" / "figure5.png").stat().st_size > 0
    plans = list(csv.DictReader((work / "plans.csv").open()))
    # 26 raters x (40 calibration examples + 25 ratings + 2 retest repeats).
    assert len(plans) == 26 * 67
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        raters = db.execute(
            "select s.name, count(r.id), sum(r.simulated) from protocol_study s "
            "join protocol_rater r on r.study_id = s.id group by s.name order by s.name"
        ).fetchall()
    # mystudy: 26 places, all taken by the 26 simulated raters; srgan2017: 26 places.
    assert raters == [("mystudy", 26, 26), ("srgan2017", 26, 0)]
    # The script's header hands out the preset study's 26 links (links.csv is rewritten).
    links = list(csv.DictReader((work / "links.csv").open()))
    assert [row["rater"] for row in links] == [str(n) for n in range(1, 27)]
    assert all(row["url"].startswith("http://127.0.0.1:8000/r/") for row in links)
