"""Architectures proposed by searches, read from a results file or a list, to join a sampled table.

A uniform sample under-represents good cells, which is where search goes; so
a surrogate's training set also holds cells that search strategies proposed
when run on an early surrogate (as NAS-Bench-301 did). :func:`read_proposals`
reads them from

* a results file of ``nasbench run`` (JSON Lines, optionally gzipped): every
  architecture each run evaluated, in order, labelled with the run's
  strategy and the benchmark it searched (name and checksum); or
* a text file with one architecture string per line (``#`` starts a comment),
  labelled with the given ``strategy`` and ``source``.
"""

from __future__ import annotations

import os
from pathlib import Path

from nasbench_suite.training.journal import Proposal

__all__ = ["read_proposals"]


def read_proposals(
    path: str | os.PathLike[str], *, space: str, strategy: str | None = None, source: str | None = None
) -> list[Proposal]:
    """The architectures proposed in ``path`` (see the module docstring), first occurrence of each string kept.

    ``space`` is the space being generated: a results file of a search on
    another space is refused. ``strategy`` and ``source`` label a text file's
    architectures (both required there) and override a results file's labels.
    """
    from nasbench_suite.harness.results import read_results, read_text

    path = Path(path)
    lines = read_text(path).splitlines()
    first = next((ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    if not first:
        raise ValueError(f"architecture file {str(path)!r} lists no architecture")
    out: list[Proposal] = []
    if first.startswith("{"):
        for record in read_results(path):
            bench = record.get("benchmark") or {}
            searched = bench.get("search_space")
            if searched is not None and searched != space:
                raise ValueError(
                    f"results file {str(path)!r} holds a search on space {searched!r}; the table is of space {space!r}"
                )
            label = strategy or str((record.get("strategy") or {}).get("name", "?"))
            where = source or f"benchmark {bench.get('name', '?')} (checksum {str(bench.get('checksum', ''))[:16]})"
            out += [Proposal(str(a), label, where) for a in (record.get("trajectory") or {}).get("arch", [])]
    else:
        if not strategy or not source:
            raise ValueError(
                f"architecture file {str(path)!r} is a plain list: say which strategy proposed its architectures and "
                "what it searched (--proposed-by and --proposal-source)"
            )
        for line in lines:
            text = line.split("#", 1)[0].strip()
            if text:
                out.append(Proposal(text, strategy, source))
    seen: set[str] = set()
    unique = [p for p in out if not (p.arch in seen or seen.add(p.arch))]
    if not unique:
        raise ValueError(f"architecture file {str(path)!r} lists no architecture")
    return unique
