"""The documentation: the site builds without a warning, and the versioning table follows the code."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_is_strict_and_clean(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed: pip install -e '.[docs]'")
    pytest.importorskip("mkdocstrings_handlers.python", reason="mkdocstrings[python] (the docs extra) is not installed")
    pytest.importorskip("material", reason="mkdocs-material (the docs extra) is not installed")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    assert "WARNING" not in log, log
    api = (tmp_path / "site" / "api" / "benchmark" / "index.html").read_text(encoding="utf-8")
    assert "EvalResult" in api and "query_many" in api  # rendered from the docstrings


def test_versioning_table_matches_the_format_constants() -> None:
    text = (ROOT / "docs" / "VERSIONING.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| [^|]+ \| `([\w.]+)\.(\w+)` \| (\d+) \|$", text, flags=re.M)
    assert len(rows) >= 6
    for module, name, version in rows:
        assert getattr(importlib.import_module(module), name) == int(version), f"{module}.{name}"
