"""Helpers for tests on ../shared/datasets: the rename CSVs and in-process srmodels evaluate."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
from pathlib import Path

from tests.services import require_datasets

SRGAN_AUTHORS_METHODS = {"SRResNet-MSE": "srresnet-mse", "SRGAN-VGG54": "srgan-vgg54"}


def name_mapping(dataset: str) -> dict[str, str]:
    """``{paper name: img_NNN}`` from the mapping listed in the datasets README."""
    readme = require_datasets("README.md").read_text()
    line = re.search(rf"^- {dataset}: (.+)$", readme, flags=re.MULTILINE)
    assert line, f"no {dataset} name mapping in the datasets README"
    pairs = re.findall(r"(\d{3}) ([a-z0-9]+)", line.group(1))
    return {name: f"img_{number}" for number, name in pairs}


def write_rename_csv(path: Path, dataset: str) -> Path:
    rows = [f"{source},{target}" for source, target in name_mapping(dataset).items()]
    path.write_text("from,to\n" + "\n".join(rows) + "\n")
    return path


def srmodels_evaluate(*argv: str) -> dict[str, dict[str, float]]:
    """``python -m srmodels evaluate --json ...`` in-process: ``{name: metrics}``."""
    from srmodels.commands import evaluate

    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = evaluate.run(parser.parse_args([*argv, "--json"]))
    assert status == 0
    return {row["name"]: row for row in json.loads(out.getvalue())["images"]}
