"""Regenerate the conformance matrix in docs/SPACES.md from ``nasbench conformance --markdown``'s renderer.

Usage: ``python benchmarks/spaces_doc.py`` (runs the full matrix: a few minutes on 2 cores).
The slow test ``tests/testing/test_conformance_matrix.py::test_docs_show_the_matrix_the_command_prints``
checks that the file holds exactly what this writes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from nasbench_suite.testing.conformance import render_markdown, run_matrix, unexpected

DOC = Path(__file__).resolve().parents[1] / "docs" / "SPACES.md"
BEGIN, END = "<!-- conformance:begin -->\n", "<!-- conformance:end -->"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        cells = run_matrix(tmp)
    text = DOC.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + BEGIN + render_markdown(cells) + END + tail)
    bad = unexpected(cells)
    for c in bad:
        print(f"unexpected {c.status}: {c.name} on {c.space} ({c.benchmark}): {c.reason}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
