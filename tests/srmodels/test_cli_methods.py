from __future__ import annotations

import json

from srmodels.cli import main
from tests.srmodels.engine_helpers import small_weights


def test_it_prints_the_registry_with_the_weights_present(tmp_path, capsys, monkeypatch):
    path = small_weights(tmp_path, "espcn")
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(tmp_path))
    assert main(["methods"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert "not needed" in lines["bicubic"]
    assert str(path) in lines["espcn"]
    assert lines["srgan-vgg54"].split()[1] == "SRGAN"


def test_it_prints_json(tmp_path, capsys, monkeypatch):
    small_weights(tmp_path, "srcnn")
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(tmp_path))
    assert main(["methods", "--json"]) == 0
    rows = {row["key"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["srcnn"]["available"] is True
    assert rows["srcnn"]["weights"] == str(tmp_path / "srcnn.safetensors")
    assert rows["nearest"] == {
        "key": "nearest",
        "label": "NN",
        "kind": "interpolation",
        "arch": None,
        "apply": "interpolation",
        "available": True,
        "weights": None,
    }
    assert len(rows) == 10


def test_it_lists_the_keys_of_the_available_models_for_scripts(tmp_path, capsys, monkeypatch):
    small_weights(tmp_path, "espcn")
    monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(tmp_path))
    # Only the weights in tmp_path and the shipped folder count.
    assert main(["methods", "--available", "--kind", "model", "--keys"]) == 0
    keys = capsys.readouterr().out.split()
    assert "espcn" in keys
    assert "bicubic" not in keys
    assert all(key not in keys for key in ("srresnet-vgg22", "srgan-vgg22"))
