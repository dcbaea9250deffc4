"""``precision="auto"`` picks bf16 + channels-last only where the CPU computes bf16 natively."""

from __future__ import annotations

import pytest
import torch

from srmodels.engine import Upscaler
from srmodels.hardware import DeviceError, choose_execution, cpu_flags, native_bf16
from tests.srmodels.engine_helpers import small_weights

CPU = torch.device("cpu")
AMX = frozenset({"avx512f", "avx512_bf16", "amx_bf16", "amx_tile"})
AVX512_BF16 = frozenset({"avx512f", "avx512_bf16"})
PLAIN = frozenset({"avx2", "avx512f", "avx512bw"})


@pytest.mark.parametrize(
    ("flags", "precision", "feature"),
    [(AMX, "bf16", "amx_bf16"), (AVX512_BF16, "bf16", "avx512_bf16"), (PLAIN, "fp32", None)],
)
def test_it_chooses_by_the_cpus_native_bf16(flags, precision, feature) -> None:
    execution = choose_execution("auto", CPU, flags=flags)
    assert execution.precision == precision
    assert execution.channels_last is True
    assert native_bf16(flags) == feature
    assert (feature or "no native bf16") in execution.reason


def test_it_keeps_fp32_on_cuda_and_for_pinned_methods() -> None:
    assert choose_execution("auto", torch.device("cuda"), flags=AMX).precision == "fp32"
    pinned = choose_execution("auto", CPU, flags=AMX, pinned_fp32="bf16 lost 0.05 dB")
    assert pinned.precision == "fp32"
    assert "bf16 lost 0.05 dB" in pinned.reason


def test_it_obeys_an_explicit_precision_and_layout() -> None:
    exact = choose_execution("fp32", CPU, flags=AMX)
    assert (exact.precision, exact.channels_last, exact.autocast_dtype) == ("fp32", False, None)
    nchw = choose_execution("auto", CPU, flags=AMX, channels_last=False)
    assert (nchw.precision, nchw.channels_last) == ("bf16", False)
    with pytest.raises(DeviceError, match="'fp8'"):
        choose_execution("fp8", CPU)


def test_it_reads_the_flags_line_of_cpuinfo() -> None:
    text = "processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: fpu sse avx512_bf16 amx_bf16\n"
    assert cpu_flags(text) == frozenset({"fpu", "sse", "avx512_bf16", "amx_bf16"})
    assert cpu_flags("no flags here") == frozenset()


def test_it_records_the_choice_on_the_upscaler(tmp_path) -> None:
    weights = small_weights(tmp_path, "srresnet-mse")
    upscaler = Upscaler("srresnet-mse", weights=weights, device="cpu")
    described = upscaler.describe()
    expected = "bf16" if native_bf16() else "fp32"
    assert (upscaler.precision, upscaler.channels_last) == (expected, True)
    assert described["precision"] == expected
    assert described["hardware"]
    assert described["precision_reason"].startswith("auto")
    exact = Upscaler("srresnet-mse", weights=weights, device="cpu", precision="fp32")
    assert (exact.precision, exact.channels_last) == ("fp32", False)
