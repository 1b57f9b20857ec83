"""Which benchmark a run was made on: the digest of a store's content, recomputed.

A store's root ``checksum`` attribute is what its writer computed; anyone
who edits a stored value can leave it alone or recompute it. Results files
therefore name the store by :func:`content_digest` -- the content checksum
of :func:`nasbench_suite.store.format.content_checksum`, computed from the
bytes now in the file -- and every consumer (``nasbench run`` resuming a
file, ``nasbench leaderboard verify`` and ``submit``) recomputes it and
compares. A store whose content no longer matches its own attribute is
refused outright (:func:`checked_digest`).

Surrogate benchmarks check every file of their bundle against their card
when they are opened, so their ``checksum`` is their digest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nasbench_suite.errors import ChecksumMismatchError

#: (resolved path, size, mtime_ns) -> digest; a store is hashed once per process unless it changes on disk
_DIGESTS: dict[tuple[str, int, int], str] = {}


def content_digest(benchmark: Any) -> str:
    """The recomputed content digest of ``benchmark`` (``sha256:<hex>``).

    Tables (objects with a ``path`` to an HDF5 store) are hashed from their
    file; other benchmarks report their own ``checksum``.
    """
    path = getattr(benchmark, "path", None)
    if path is None or not str(path).endswith((".h5", ".hdf5")) or not Path(path).is_file():
        return str(benchmark.checksum)
    import h5py

    from nasbench_suite.store.format import content_checksum

    st = os.stat(path)
    key = (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    digest = _DIGESTS.get(key)
    if digest is None:
        with h5py.File(path, "r") as f:
            digest = _DIGESTS[key] = content_checksum(f)
    return digest


def checked_digest(benchmark: Any) -> str:
    """:func:`content_digest`, refusing a store whose content differs from its own ``checksum`` attribute.

    Raises
    ------
    ChecksumMismatchError
        naming the file, the recomputed digest and the recorded checksum.
    """
    digest = content_digest(benchmark)
    if digest != str(benchmark.checksum):
        where = getattr(benchmark, "path", None) or getattr(benchmark, "name", "?")
        raise ChecksumMismatchError(
            f"{str(where)!r}: content digest {digest} does not match the store's recorded checksum "
            f"{benchmark.checksum}: the file was changed after it was written (re-import or regenerate it)"
        )
    return digest


__all__ = ["checked_digest", "content_digest"]
