"""The numerics fingerprint: what it records, its JSON round trip, digest and field-by-field diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest
import torch

from nasbench_suite.numerics import (
    BlasLibrary,
    NumericsFingerprint,
    NumericsFormatError,
    current_fingerprint,
    diff_fingerprints,
    numerics_context,
)


@pytest.fixture(scope="module")
def here() -> NumericsFingerprint:
    with numerics_context(threads=1):
        return current_fingerprint(device="cpu")


def test_records_what_decides_the_bits(here: NumericsFingerprint) -> None:
    import numpy as np

    assert here.torch == torch.__version__
    assert here.torch_cpu_capability == torch.backends.cpu.get_cpu_capability()
    assert here.numpy == np.__version__ and here.numpy_simd
    assert here.device == "cpu" and here.device_name == "cpu" and here.cuda is None and not here.on_gpu
    assert here.threads == 1
    assert here.deterministic_algorithms and here.deterministic_warn_only  # the training settings
    assert all(isinstance(b, BlasLibrary) and b.threads >= 1 for b in here.blas)
    assert "cpu" in here.info  # the brand string is information only
    if torch.backends.mkldnn.is_available():
        assert here.onednn_isa  # read from oneDNN's own report
    assert all(f == f.lower() for f in here.cpu_isa)


def test_numerics_context_sets_and_restores_threads_and_flags() -> None:
    before = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    with numerics_context(threads=2):
        assert torch.get_num_threads() == 2 and torch.are_deterministic_algorithms_enabled()
        assert current_fingerprint().threads == 2
    assert (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()) == before
    with pytest.raises(ValueError, match="threads must be a positive integer, got 0"):
        with numerics_context(threads=0):
            pass


def test_json_round_trip(here: NumericsFingerprint) -> None:
    back = NumericsFingerprint.from_dict(json.loads(json.dumps(here.to_dict())))
    assert back == here and back.digest() == here.digest() and back.info == here.info
    assert hash(back) == hash(here)


def test_digest_ignores_information_and_changes_with_any_field(here: NumericsFingerprint) -> None:
    assert replace(here, info={"cpu": "another brand"}).digest() == here.digest()
    assert replace(here, info={"cpu": "another brand"}) == here
    assert replace(here, threads=here.threads + 1).digest() != here.digest()
    assert replace(here, torch_cpu_capability="AVX2" if here.torch_cpu_capability != "AVX2" else "DEFAULT").digest() != here.digest()
    assert here.digest().startswith("sha256:") and len(here.digest()) == 7 + 64


def test_diff_names_each_differing_field(here: NumericsFingerprint) -> None:
    assert diff_fingerprints(here, here) == ()
    other = replace(here, torch_cpu_capability="FOREIGN", numpy_simd=(*here.numpy_simd[:-1], "NEWSIMD"), threads=7)
    diffs = diff_fingerprints(here, other)
    assert [d.field for d in diffs] == ["torch_cpu_capability", "numpy_simd", "threads"]
    text = [str(d) for d in diffs]
    assert text[0] == f"torch_cpu_capability: recorded {here.torch_cpu_capability!r}, here 'FOREIGN'"
    assert f"only recorded {here.numpy_simd[-1]}" in text[1] and "only here NEWSIMD" in text[1]
    assert text[2] == f"threads: recorded {here.threads}, here 7"
    assert json.loads(json.dumps([d.to_dict() for d in diffs]))[2] == {"field": "threads", "recorded": here.threads, "here": 7}


def test_a_newer_fingerprint_version_never_matches(here: NumericsFingerprint) -> None:
    newer = NumericsFingerprint.from_dict({**here.to_dict(), "version": here.version + 1})
    assert [d.field for d in diff_fingerprints(newer, here)] == ["version"]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: {**d, "brand": "x"}, r"unknown fields \['brand'\]"),
        (lambda d: {k: v for k, v in d.items() if k != "torch"}, r"lacks fields \['torch'\]"),
        (lambda d: {**d, "threads": "1"}, "field 'threads' must be an integer, got '1'"),
        (lambda d: {**d, "blas": [{"internal_api": "openblas"}]}, "malformed list field"),
        (lambda d: {**d, "cpu_isa": "avx2"}, "cpu_isa must be a list of strings, got 'avx2'"),
        (lambda d: ["not", "an", "object"], "must be a JSON object, got list"),
    ],
)
def test_a_malformed_record_is_refused_naming_what_is_wrong(here: NumericsFingerprint, edit, message: str) -> None:
    with pytest.raises(NumericsFormatError, match=message):
        NumericsFingerprint.from_dict(edit(here.to_dict()))


def test_honours_the_environment_that_changes_the_kernels(here: NumericsFingerprint) -> None:
    """ATEN_CPU_CAPABILITY, NPY_DISABLE_CPU_FEATURES and ONEDNN_MAX_CPU_ISA change the fingerprint."""
    if here.torch_cpu_capability == "DEFAULT":
        pytest.skip("torch already uses its default CPU kernels here")
    from nasbench_suite.numerics import _numpy_simd

    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as umath
    dispatch = [f for f in _numpy_simd() if f not in umath.__cpu_baseline__]
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}
    if dispatch:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(dispatch)
    code = (
        "import json; from nasbench_suite.numerics import current_fingerprint; "
        "print(json.dumps(current_fingerprint(threads=1).to_dict()))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    foreign = NumericsFingerprint.from_dict(json.loads(out.strip().splitlines()[-1]))
    fields = [d.field for d in diff_fingerprints(here, foreign)]
    assert "torch_cpu_capability" in fields and foreign.torch_cpu_capability == "DEFAULT"
    if dispatch:
        assert "numpy_simd" in fields and not set(dispatch) & set(foreign.numpy_simd)
    assert foreign.info["ATEN_CPU_CAPABILITY"] == "default"
    assert "ONEDNN_MAX_CPU_ISA=SSE41" in foreign.dispatch_env and "dispatch_env" in fields
    if here.onednn_isa and "SSE4.1" not in here.onednn_isa:
        assert "onednn_isa" in fields and "SSE4.1" in str(foreign.onednn_isa)
    assert (foreign.cpu_vendor, foreign.cpu_isa) == (here.cpu_vendor, here.cpu_isa)  # the hardware is the same
