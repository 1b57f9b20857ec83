"""The identity of a machine's numerics: everything that decides the bits of a computation.

Two runs of the same seeded computation give bit-identical numbers only when
the same kernels run in the same order: the same torch build and the CPU
capability its own kernels dispatch to (``ATEN_CPU_CAPABILITY`` can lower it),
the instruction set oneDNN (torch's convolution library) dispatches to
(``ONEDNN_MAX_CPU_ISA`` can lower it), the CPU's vendor and vector
extensions (MKL, torch's BLAS, picks its code path from them), the same
device, the same numpy build and SIMD dispatch paths (``NPY_DISABLE_CPU_FEATURES``
can turn some off), the same BLAS build and its runtime architecture and
thread count, the same torch thread count and the same determinism flags;
and environment variables that steer a library's dispatch without a way to
ask it (``MKL_ENABLE_INSTRUCTIONS``, ``MKL_CBWR``, ...). A
:class:`NumericsFingerprint` records these; two machines whose fingerprints
are equal run the same kernels. The CPU's brand string is *not* part of the
identity (two CPUs of one brand may dispatch differently); it is kept in
:attr:`NumericsFingerprint.info` for the reader, never compared.

Examples
--------
>>> from nasbench_suite.numerics import current_fingerprint, diff_fingerprints
>>> here = current_fingerprint(device="cpu", threads=1)
>>> diff_fingerprints(here, here)
()
>>> type(here).from_dict(here.to_dict()) == here
True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError

__all__ = [
    "DISPATCH_ENV",
    "FINGERPRINT_VERSION",
    "BlasLibrary",
    "FieldDifference",
    "NumericsFingerprint",
    "NumericsFormatError",
    "current_fingerprint",
    "deterministic",
    "diff_fingerprints",
    "numerics_context",
]

#: version of the fingerprint's fields; a different version never compares equal
FINGERPRINT_VERSION = 1

#: environment variables that steer a library's kernel dispatch where it cannot be asked what it chose
DISPATCH_ENV = (
    "MKL_ENABLE_INSTRUCTIONS",
    "MKL_CBWR",
    "MKL_DEBUG_CPU_TYPE",
    "OPENBLAS_CORETYPE",
    "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA",
    "ONEDNN_CPU_ISA_HINTS",
    "ONEDNN_DEFAULT_FPMATH_MODE",
)

#: CPU flags naming vector extensions that kernels dispatch on (x86 and ARM)
_VECTOR_FLAG = re.compile(r"^(sse4_[12]|avx.*|fma|f16c|amx.*|asimd.*|sve.*|neon)$")


class NumericsFormatError(NasBenchError, ValueError):
    """A recorded fingerprint that does not have the fields of :class:`NumericsFingerprint`."""


@dataclass(frozen=True)
class BlasLibrary:
    """One BLAS library as threadpoolctl sees it at run time."""

    internal_api: str
    version: str | None
    architecture: str | None
    threads: int

    def __str__(self) -> str:
        return f"{self.internal_api} {self.version or '?'} ({self.architecture or '?'}, {self.threads} thread(s))"


@dataclass(frozen=True)
class FieldDifference:
    """One field in which two fingerprints differ: its name and both values."""

    field: str
    recorded: Any
    here: Any

    def __str__(self) -> str:
        if isinstance(self.recorded, tuple) and isinstance(self.here, tuple):
            if all(isinstance(v, str) for v in (*self.recorded, *self.here)):  # feature sets
                only_recorded = sorted(set(self.recorded) - set(self.here))
                only_here = sorted(set(self.here) - set(self.recorded))
                parts = []
                if only_recorded:
                    parts.append(f"only recorded {' '.join(only_recorded)}")
                if only_here:
                    parts.append(f"only here {' '.join(only_here)}")
                return f"{self.field}: {'; '.join(parts) or 'same features in another order'}"
            return f"{self.field}: recorded [{', '.join(map(str, self.recorded))}], here [{', '.join(map(str, self.here))}]"
        return f"{self.field}: recorded {self.recorded!r}, here {self.here!r}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form (tuples become lists, BLAS entries dicts)."""
        return {"field": self.field, "recorded": _jsonable(self.recorded), "here": _jsonable(self.here)}


@dataclass(frozen=True)
class NumericsFingerprint:
    """What decides the bits of a computation on this machine; compared field by field.

    ``info`` holds descriptive facts (CPU brand string, platform, Python)
    that are recorded for the reader and take no part in comparison, hashing
    or :meth:`digest`.
    """

    torch: str
    torch_cpu_capability: str
    onednn_isa: str | None
    mkldnn_enabled: bool
    machine: str
    cpu_vendor: str
    cpu_isa: tuple[str, ...]
    dispatch_env: tuple[str, ...]
    device: str
    device_name: str
    cuda: str | None
    cudnn: int | None
    numpy: str
    numpy_simd: tuple[str, ...]
    blas: tuple[BlasLibrary, ...]
    threads: int
    deterministic_algorithms: bool
    deterministic_warn_only: bool
    cudnn_enabled: bool
    cudnn_deterministic: bool
    cudnn_benchmark: bool
    cuda_matmul_tf32: bool
    cudnn_tf32: bool
    version: int = FINGERPRINT_VERSION
    info: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def on_gpu(self) -> bool:
        """Whether the computation runs on an accelerator (whose kernels are not bit-stable across runs)."""
        return self.device != "cpu"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable dict of every field (:meth:`from_dict` reads it back equal)."""
        out = {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}
        out["info"] = dict(self.info)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NumericsFingerprint:
        """The fingerprint recorded by :meth:`to_dict`.

        Raises
        ------
        NumericsFormatError
            When a field is missing or unknown, or a value has the wrong type.
        """
        if not isinstance(data, Mapping):
            raise NumericsFormatError(f"a numerics fingerprint must be a JSON object, got {type(data).__name__}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        missing = sorted(names - set(data) - {"info", "version"})
        if unknown or missing:
            raise NumericsFormatError(
                f"numerics fingerprint has unknown fields {unknown} and lacks fields {missing}; "
                f"expected the fields {sorted(names)}"
            )
        values = dict(data)
        try:
            for name in ("numpy_simd", "cpu_isa", "dispatch_env"):
                if isinstance(values[name], (str, bytes, Mapping)):
                    raise TypeError(f"{name} must be a list of strings, got {values[name]!r}")
                values[name] = tuple(str(s) for s in values[name])
            values["blas"] = tuple(BlasLibrary(**dict(b)) for b in values["blas"])
            values["info"] = dict(values.get("info") or {})
        except (TypeError, ValueError) as exc:
            raise NumericsFormatError(f"numerics fingerprint has a malformed list field: {exc}") from exc
        for name in ("threads", "version"):
            if name in values and (isinstance(values[name], bool) or not isinstance(values[name], int)):
                raise NumericsFormatError(f"numerics fingerprint field {name!r} must be an integer, got {values[name]!r}")
        return cls(**values)

    def digest(self) -> str:
        """A stable ``sha256:`` digest of every compared field (``info`` excluded)."""
        compared = {k: v for k, v in self.to_dict().items() if k != "info"}
        text = json.dumps(compared, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

    def summary(self) -> str:
        """One line for a human: torch, capability, device, numpy, BLAS and threads."""
        device = self.device_name if self.device == "cpu" else f"{self.device_name} (CUDA {self.cuda}, cuDNN {self.cudnn})"
        blas = ", ".join(map(str, self.blas)) or "no BLAS loaded"
        env = f"; {' '.join(self.dispatch_env)}" if self.dispatch_env else ""
        return (
            f"torch {self.torch} ({self.torch_cpu_capability}, oneDNN {self.onednn_isa or '?'}) on {device}, "
            f"{self.threads} thread(s); numpy {self.numpy} [{' '.join(self.numpy_simd)}]; {blas}{env}"
        )


def diff_fingerprints(recorded: NumericsFingerprint, here: NumericsFingerprint) -> tuple[FieldDifference, ...]:
    """Every compared field in which ``recorded`` and ``here`` differ, in field order (``()`` when equal)."""
    return tuple(
        FieldDifference(f.name, getattr(recorded, f.name), getattr(here, f.name))
        for f in fields(NumericsFingerprint)
        if f.compare and getattr(recorded, f.name) != getattr(here, f.name)
    )


@contextlib.contextmanager
def deterministic() -> Iterator[None]:
    """Enforce torch's deterministic algorithms (warning where none exists) inside the block."""
    import torch

    previous = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(previous[0], warn_only=previous[1])


@contextlib.contextmanager
def numerics_context(*, threads: int) -> Iterator[None]:
    """The numerics a training job runs under: ``threads`` torch threads and deterministic algorithms.

    Restores the previous thread count and flags afterwards.
    """
    import torch

    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with deterministic():
            yield
    finally:
        torch.set_num_threads(previous)


def current_fingerprint(*, device: str = "cpu", threads: int | None = None) -> NumericsFingerprint:
    """The fingerprint of a computation on ``device`` here, with ``threads`` torch threads.

    ``threads=None`` records the thread count torch uses now; the flags are
    the ones in effect now (take it inside :func:`numerics_context` to get
    those a training job runs under).
    """
    import numpy as np
    import torch

    dev = torch.device(device)
    kind = dev.type
    cuda_version: str | None = None
    cudnn_version: int | None = None
    name = "cpu"
    if kind == "cuda":
        name = torch.cuda.get_device_name(dev)
        cuda_version = torch.version.cuda
        cudnn_version = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
    elif kind != "cpu":
        name = kind
    return NumericsFingerprint(
        torch=str(torch.__version__),
        torch_cpu_capability=str(torch.backends.cpu.get_cpu_capability()),
        onednn_isa=_onednn_isa(),
        mkldnn_enabled=bool(torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled),
        machine=platform.machine(),
        cpu_vendor=_cpuinfo("vendor_id") or platform.processor(),
        cpu_isa=_cpu_isa(),
        dispatch_env=tuple(f"{k}={os.environ[k]}" for k in DISPATCH_ENV if k in os.environ),
        device=kind,
        device_name=name,
        cuda=cuda_version,
        cudnn=cudnn_version,
        numpy=str(np.__version__),
        numpy_simd=_numpy_simd(),
        blas=_numpy_blas(),
        threads=int(torch.get_num_threads() if threads is None else threads),
        deterministic_algorithms=bool(torch.are_deterministic_algorithms_enabled()),
        deterministic_warn_only=bool(torch.is_deterministic_algorithms_warn_only_enabled()),
        cudnn_enabled=bool(torch.backends.cudnn.enabled),
        cudnn_deterministic=bool(torch.backends.cudnn.deterministic),
        cudnn_benchmark=bool(torch.backends.cudnn.benchmark),
        cuda_matmul_tf32=bool(torch.backends.cuda.matmul.allow_tf32),
        cudnn_tf32=bool(torch.backends.cudnn.allow_tf32),
        info=_info(),
    )


@cache
def _onednn_isa() -> str | None:
    """The instruction set oneDNN dispatches to, as its verbose mode reports it (once per process).

    oneDNN prints its header, which names the ISA, the first time verbose
    mode is on; it is read from a tiny convolution with standard output
    redirected. ``None`` where torch has no oneDNN or the header was already
    printed (``ONEDNN_VERBOSE`` set by the user).
    """
    import torch

    if not torch.backends.mkldnn.is_available():
        return None
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return None
    try:
        with tempfile.TemporaryFile() as tmp:
            os.dup2(tmp.fileno(), 1)
            try:
                with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON), torch.no_grad():
                    torch.nn.functional.conv2d(torch.ones(8, 4, 8, 8), torch.ones(4, 4, 3, 3), padding=1)
            finally:
                os.dup2(saved, 1)
            tmp.seek(0)
            text = tmp.read().decode("utf-8", errors="replace")
    except (OSError, RuntimeError):
        return None
    finally:
        os.close(saved)
    return next((line.split(",isa:", 1)[1].strip() for line in text.splitlines() if ",isa:" in line), None)


def _cpuinfo(key: str) -> str:
    """The first ``key`` line of /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            return next((ln.split(":", 1)[1].strip() for ln in fh if ln.split(":", 1)[0].strip() == key), "")
    except OSError:
        return ""


def _cpu_isa() -> tuple[str, ...]:
    """The vector extensions the CPU reports (SSE4, AVX*, FMA, F16C, AMX*), whatever the libraries are told to use."""
    flags = _cpuinfo("flags").split() or _cpuinfo("Features").split()  # x86 / ARM
    if not flags:  # no /proc/cpuinfo: what numpy detected
        try:
            from numpy._core import _multiarray_umath as umath
        except ImportError:  # numpy < 2
            from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
        flags = [k.lower() for k, on in umath.__cpu_features__.items() if on]
    return tuple(sorted({f for f in flags if _VECTOR_FLAG.match(f)}))


def _numpy_simd() -> tuple[str, ...]:
    """numpy's baseline features and the dispatch targets enabled at run time (honours NPY_DISABLE_CPU_FEATURES)."""
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as umath  # type: ignore[no-redef]
    features = umath.__cpu_features__
    baseline = list(umath.__cpu_baseline__)
    enabled = [name for name in umath.__cpu_dispatch__ if features.get(name)]
    return tuple(baseline + [name for name in enabled if name not in baseline])


def _numpy_blas() -> tuple[BlasLibrary, ...]:
    """numpy's BLAS libraries at run time: the loaded ones inside numpy's distribution, else all loaded."""
    import numpy as np
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    home = Path(np.__file__).resolve().parent
    own = [i for i in blas if _inside(i.get("filepath", ""), (home, home.parent / "numpy.libs", home.parent / ".dylibs"))]
    chosen = own or blas
    entries = {
        BlasLibrary(
            internal_api=str(i.get("internal_api")),
            version=None if i.get("version") is None else str(i["version"]),
            architecture=None if i.get("architecture") is None else str(i["architecture"]),
            threads=int(i.get("num_threads") or 0),
        )
        for i in chosen
    }
    return tuple(sorted(entries, key=lambda b: (b.internal_api, str(b.version), str(b.architecture), b.threads)))


def _inside(path: str, folders: tuple[Path, ...]) -> bool:
    try:
        resolved = Path(path).resolve()
    except (OSError, ValueError):
        return False
    return any(resolved.is_relative_to(folder.resolve()) for folder in folders)


def _info() -> dict[str, Any]:
    """Descriptive facts, never compared: CPU brand string, platform, Python, core count, the environment."""
    return {
        "cpu": _cpuinfo("model name") or platform.processor(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ATEN_CPU_CAPABILITY": os.environ.get("ATEN_CPU_CAPABILITY"),
        "NPY_DISABLE_CPU_FEATURES": os.environ.get("NPY_DISABLE_CPU_FEATURES"),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, BlasLibrary):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    return value
