"""``SRMODELS_DEVICE`` is read by srmodels alone, strictly: a bad value names the variable."""

from __future__ import annotations

import pytest
import torch

from srmodels.hardware import DeviceError, resolve_device


def test_it_follows_the_setting_when_no_device_is_given(monkeypatch) -> None:
    monkeypatch.setenv("SRMODELS_DEVICE", "cpu")
    assert resolve_device(None) == torch.device("cpu")
    monkeypatch.delenv("SRMODELS_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device(None).type == expected


@pytest.mark.parametrize("value", ["gpu0", "mps"])
def test_it_refuses_a_bad_setting_naming_the_variable(monkeypatch, value: str) -> None:
    monkeypatch.setenv("SRMODELS_DEVICE", value)
    with pytest.raises(DeviceError, match=f"SRMODELS_DEVICE='{value}'"):
        resolve_device(None)


@pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA"
)
def test_it_refuses_cuda_where_there_is_none(monkeypatch) -> None:
    monkeypatch.setenv("SRMODELS_DEVICE", "cuda")
    with pytest.raises(DeviceError, match="CUDA is not available"):
        resolve_device(None)
