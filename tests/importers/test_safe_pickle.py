"""The restricted unpickler against crafted pickles, and bounded decompression against bombs.

Crafted payloads run in a child process: a payload that crashed the
interpreter would fail its test (exit status -11) instead of killing pytest.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.errors import DecompressionLimitError, ImportFormatError
from nasbench_suite.importers._bounded import DecompressionLimits, decompress_bytes, decompress_file
from nasbench_suite.importers._safe_pickle import load_pickle_bz2, restricted_load

REPO = Path(__file__).resolve().parents[2]

#: numpy.dtype('O8') with its flags cleared by BUILD: numpy no longer knows the items are pointers
_OBJECT_DTYPE_NO_FLAGS = (
    b"cnumpy\ndtype\n" + b"X\x02\x00\x00\x00O8\x89\x88\x87R"
    + b"(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
)  # fmt: skip

#: name -> (payload, fragment of the expected error)
PAYLOADS: dict[str, tuple[bytes, str]] = {
    # numpy.ndarray((1,), <object dtype without flags>, b"AAAAAAAA"): 8 bytes read as a PyObject pointer
    "ndarray-buffer": (
        b"\x80\x02cnumpy\nndarray\nK\x01\x85" + _OBJECT_DTYPE_NO_FLAGS + b"C\x08AAAAAAAA\x87R.",
        "calls numpy.ndarray",
    ),
    # _reconstruct(ndarray, (0,), b'b') then __setstate__((1, (1,), <object dtype>, False, b"AAAAAAAA"))
    "reconstruct-setstate": (
        b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01K\x01\x85"
        + _OBJECT_DTYPE_NO_FLAGS + b"\x89C\x08AAAAAAAAtb.",
        "not a plain numeric",
    ),
    # scalar(<object dtype without flags>, b"AAAAAAAA")
    "scalar": (
        b"\x80\x02cnumpy.core.multiarray\nscalar\n" + _OBJECT_DTYPE_NO_FLAGS + b"C\x08AAAAAAAA\x86R.",
        "not a plain numeric",
    ),
    # a float64 array header declaring 10**12 items over 8 bytes of data
    "oversized-header": (
        b"\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01\x8a\x06\x00\x10\xa5\xd4\xe8\x00\x85"
        b"cnumpy\ndtype\nX\x02\x00\x00\x00f8\x89\x88\x87R(K\x03X\x01\x00\x00\x00<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
        b"\x89C\x08AAAAAAAAtb.",
        "declares shape",
    ),
    # a bytes opcode declaring 2**60 bytes that the stream does not hold
    "oversized-bytes": (b"\x80\x04\x8e" + (2**60).to_bytes(8, "little") + b"x.", "not a well-formed pickle"),
    # a memo index of 2**31 (the unpickler would size its memo table by it)
    "huge-memo-index": (b"\x80\x02K\x01r\x00\x00\x00\x80.", "memo index"),
    # a structured dtype with an object field
    "object-field": (
        b"\x80\x02cnumpy\ndtype\nX\x02\x00\x00\x00V8\x89\x88\x87R"
        b"(K\x03X\x01\x00\x00\x00|N(X\x01\x00\x00\x00atcnumpy\ndtype\nX\x02\x00\x00\x00O8\x89\x88\x87R\x85K\x08K\x01K?tb.",
        "not a plain numeric",
    ),
    # an INST opcode naming an allowed class still calls it in a way containers never need
    "inst-opcode": (b"(icollections\nOrderedDict\n.", "opcode INST"),
}

CHILD = """
import json, sys
from nasbench_suite.importers._safe_pickle import restricted_load
from nasbench_suite.training.image_files import safe_load_pickle
from nasbench_suite.errors import NasBenchError
from pathlib import Path
for name in sys.argv[1:]:
    path = Path(name)
    for load in (lambda: restricted_load(path.read_bytes(), source=str(path)), lambda: safe_load_pickle(path)):
        print(json.dumps([path.name, "started"]), flush=True)
        try:
            obj = load()
        except NasBenchError as exc:
            print(json.dumps([path.name, "error", type(exc).__name__, str(exc)]), flush=True)
        else:
            print(json.dumps([path.name, "loaded", repr(obj)]), flush=True)
"""


@pytest.fixture(scope="module")
def child_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[list[str]]]:
    """Every payload through both loaders in one child process (a crash there fails the tests, not pytest)."""
    folder = tmp_path_factory.mktemp("payloads")
    for name, (payload, _) in PAYLOADS.items():
        (folder / name).write_bytes(payload)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *(str(folder / n) for n in sorted(PAYLOADS))],
        capture_output=True, text=True, timeout=120, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    outcomes: dict[str, list[list[str]]] = {}
    for line in out.stdout.splitlines():
        name, *rest = json.loads(line)
        outcomes.setdefault(name, []).append(rest)
    if out.returncode != 0:  # the payload started last crashed the child
        last = json.loads(out.stdout.splitlines()[-1])[0] if out.stdout else "?"
        outcomes[last].append(["died", f"status {out.returncode}", out.stderr[-2000:]])
    outcomes["__folder__"] = [[str(folder)]]
    return outcomes


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_crafted_pickle_is_a_clear_error_in_both_loaders(name: str, child_outcomes: dict[str, list[list[str]]]) -> None:
    fragment = PAYLOADS[name][1]
    results = [r for r in child_outcomes.get(name, []) if r[0] != "started"]
    assert [r[:2] for r in results] == [["error", "ImportFormatError"], ["error", "DatasetFileError"]], results
    path = str(Path(child_outcomes["__folder__"][0][0]) / name)
    assert all(fragment in r[2] and path in r[2] for r in results), results


def test_python2_dataset_pickle_still_loads(tmp_path: Path) -> None:
    entry = {b"data": np.arange(12, dtype=np.uint8).reshape(2, 6), b"labels": [3, 4], b"f": np.float32(0.5)}
    back = restricted_load(pickle.dumps(entry, protocol=2), encoding="bytes")
    np.testing.assert_array_equal(back[b"data"], entry[b"data"])
    assert back[b"labels"] == [3, 4] and back[b"f"] == np.float32(0.5) and type(back[b"f"]) is np.float32


@pytest.mark.parametrize("dtype", ["<f8", ">f4", "<i8", "|u1", "|b1", "<c16", "<U5", "|S3"])
@pytest.mark.parametrize("protocol", [2, 5])
def test_every_plain_dtype_round_trips(dtype: str, protocol: int) -> None:
    arr = np.arange(6).astype(dtype).reshape(2, 3)
    fortran = np.asfortranarray(arr)
    blob = pickle.dumps([arr, fortran, arr[0, 0]], protocol=protocol)
    back = restricted_load(io.BytesIO(blob))
    for got, want in zip(back, pickle.loads(blob)):  # what numpy itself rebuilds (protocol 2 makes byte order native)
        assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
        assert np.ndim(got) == 0 or got.flags.f_contiguous == want.flags.f_contiguous


# ------------------------------------------------------------ decompression
def _bomb(size: int) -> bytes:
    """``size`` bytes of zeros as concatenated bz2 streams of 16 MiB each (a few kilobytes in all)."""
    block = bz2.compress(b"\0" * (16 << 20), 9)
    return block * (size >> 24)


BOMB_CHILD = """
import json, resource, sys, time
from nasbench_suite.importers._safe_pickle import load_pickle_bz2
from nasbench_suite.errors import DecompressionLimitError
t = time.perf_counter()
try:
    load_pickle_bz2(sys.argv[1])
    outcome = "loaded"
except DecompressionLimitError as exc:
    outcome = str(exc)
# VmHWM is this process's own peak; ru_maxrss would carry the forking parent's peak across exec
hwm = [int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")]
peak_kb = hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "s": time.perf_counter() - t, "peak_mb": peak_kb / 1024}))
"""


def test_bz2_bomb_stops_early_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "meta.pickle.pbz2"
    path.write_bytes(_bomb(2 << 30))  # 2 GiB of zeros in a few kilobytes
    out = subprocess.run(
        [sys.executable, "-c", BOMB_CHILD, str(path)], capture_output=True, text=True, timeout=120, cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout)
    assert "expands more than 200x" in result["outcome"] and str(path) in result["outcome"]
    assert result["peak_mb"] < 400, result


@pytest.mark.parametrize(
    ("codec", "compress"), [("bz2", bz2.compress), ("gzip", lambda b: gzip.compress(b, compresslevel=1, mtime=0)), ("xz", lambda b: lzma.compress(b, preset=0))]
)
def test_every_codec_is_bounded_and_exact(codec: str, compress, tmp_path: Path) -> None:
    data = np.random.default_rng(0).integers(0, 4, size=(5 << 20) // 4, dtype=np.uint8).tobytes() * 2
    blob = compress(data)
    assert decompress_bytes(blob, codec, source="x") == data
    assert decompress_bytes(blob + blob, codec, source="x") == data + data  # concatenated streams
    with pytest.raises(DecompressionLimitError, match=r"more than 1 MiB"):
        decompress_bytes(blob, codec, source="x", limits=DecompressionLimits(max_bytes=1 << 20))
    with pytest.raises(DecompressionLimitError, match=r"expands more than 2x"):
        decompress_bytes(blob, codec, source="x", limits=DecompressionLimits(max_ratio=2, ratio_floor=0))
    for cut in (0, 1, len(blob) // 2, len(blob) - 1):
        with pytest.raises(ImportFormatError, match="'x'|x "):
            decompress_bytes(blob[:cut], codec, source="'x'")
    path = tmp_path / "f"
    path.write_bytes(blob + b"garbage")
    with pytest.raises(ImportFormatError, match=f"not a readable {codec} file"):
        decompress_file(path, codec)


def test_limits_from_environment_and_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSED_MB", "3")
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSION_RATIO", "7.5")
    assert DecompressionLimits.from_env() == DecompressionLimits(max_bytes=3 << 20, max_ratio=7.5)
    assert DecompressionLimits.from_env(max_mb=5).max_bytes == 5 << 20
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSED_MB", "lots")
    with pytest.raises(ValueError, match="NASBENCH_MAX_DECOMPRESSED_MB='lots' is not a number"):
        DecompressionLimits.from_env()
    with pytest.raises(ValueError, match="positive"):
        DecompressionLimits.from_env(max_mb=-1)


def test_real_archive_limits_are_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.pickle.pbz2"
    path.write_bytes(bz2.compress(pickle.dumps({"x": "a" * (3 << 20)})))
    with pytest.raises(DecompressionLimitError, match="raise it with NASBENCH_MAX_DECOMPRESSED_MB"):
        load_pickle_bz2(path, limits=DecompressionLimits(max_bytes=1 << 20))
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSED_MB", "1")
    with pytest.raises(DecompressionLimitError):
        load_pickle_bz2(path)
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSED_MB", "8")
    monkeypatch.setenv("NASBENCH_MAX_DECOMPRESSION_RATIO", "1e6")
    t = time.perf_counter()
    assert len(load_pickle_bz2(path)["x"]) == 3 << 20
    assert time.perf_counter() - t < 10


def test_cli_option_reaches_the_importer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nasbench_suite.cli import main

    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "meta.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps({"x": "a" * (3 << 20)})))
    cmd = ["import", "nats-archive", str(archive), "--out", str(tmp_path / "o.h5"), "--max-decompressed-mb", "1"]
    assert main(cmd) != 0
    assert "expands to more than 1 MiB" in capsys.readouterr().err
    assert not (tmp_path / "o.h5").exists()


def test_source_is_named_in_every_refusal() -> None:
    for payload, _ in PAYLOADS.values():
        with pytest.raises(ImportFormatError, match="^archive.pbz2: "):
            restricted_load(io.BytesIO(payload), source="archive.pbz2")
