"""The conformance matrix: every strategy on every space's table and surrogate, every estimator on every space."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasbench_suite.cli import main
from nasbench_suite.spaces import get_bundle, space_names
from nasbench_suite.testing.conformance import FAIL, PASS, REFUSE, Cell, documented, render_markdown, run_matrix, unexpected

REPO = Path(__file__).resolve().parents[2]
#: the strategies that model the space (encoders, categorical descriptions, stored proxy columns)
MODEL_BASED = ["bananas", "bohb", "gp-bo", "reinforce", "smac", "tpe", "zc-re"]
OTHER_SPACES = [s for s in space_names() if s != "nb201"]


def _expected_refusal(cell: Cell) -> bool:
    """The refusals the docs list: ws-* and the one-shot estimator where the space has no supernet, and DARTS /
    GDAS on a listed table (their derived cell may be one it does not hold); every table here is listed but
    nb201's full digits table."""
    has_supernet = get_bundle(cell.space).refusal("supernet") is None
    if cell.name == "one-shot":
        return not has_supernet
    if cell.name.startswith("ws-"):
        listed = cell.space != "nb201" and cell.benchmark == "table"
        return not has_supernet or (listed and cell.name in ("ws-darts", "ws-gdas"))
    return False


def _check(cells: list[Cell]) -> None:
    assert cells
    bad = unexpected(cells)
    assert not bad, "\n".join(f"{c.name} on {c.space} ({c.benchmark}): {c.status}: {c.reason}" for c in bad)
    for c in cells:
        assert c.status == (REFUSE if _expected_refusal(c) else PASS), c


@pytest.mark.parametrize("spaces", [
    # the spaces whose choice vectors can name no architecture (repaired, or mapped to the nearest one)
    pytest.param(["nb101", "transnas101-macro"], id="repaired-spaces"),
    pytest.param([s for s in OTHER_SPACES if s not in ("nb101", "transnas101-macro")], id="other-spaces",
                 marks=pytest.mark.slow),
])
def test_model_based_strategies_run_on_table_and_surrogate(spaces: list[str], tmp_path: Path) -> None:
    cells = run_matrix(tmp_path, spaces=spaces, strategies=MODEL_BASED, estimators=("learning-curves",), evals=12)
    assert len(cells) == len(spaces) * (2 * len(MODEL_BASED) + 1)
    _check(cells)


def test_refusals_outside_the_documented_ones_are_unexpected() -> None:
    assert documented(Cell("strategy", "ws-darts", "darts", "table", REFUSE, "needs the supernet of search space 'darts'"))
    assert not documented(Cell("strategy", "bananas", "darts", "table", REFUSE, "needs the supernet"))
    assert not documented(Cell("strategy", "rs", "darts", "table", FAIL, "boom"))


def test_cli_reports_and_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["conformance", "--space", "nats-sss", "--strategy", "tpe", "--strategy", "ws-rsws", "--kind", "table",
               "--no-estimators", "--evals", "12", "--json", "--workdir", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["unexpected"] == []
    assert [(c["name"], c["status"]) for c in out["cells"]] == [("tpe", "pass"), ("ws-rsws", "refuse")]


def test_cli_exits_nonzero_on_an_unexpected_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not a store")
    rc = main(["conformance", "--space", "nats-sss", "--strategy", "rs", "--no-estimators",
               "--table", f"nats-sss={bad}", "--workdir", str(tmp_path)])
    assert rc != 0


# ------------------------------------------------------------------ full matrix
@pytest.fixture(scope="module")
def full_matrix(tmp_path_factory: pytest.TempPathFactory) -> list[Cell]:
    return run_matrix(tmp_path_factory.mktemp("conformance"))


@pytest.mark.slow
def test_every_strategy_and_estimator_on_every_space(full_matrix: list[Cell]) -> None:
    _check(full_matrix)


@pytest.mark.slow
def test_docs_show_the_matrix_the_command_prints(full_matrix: list[Cell]) -> None:
    text = (REPO / "docs" / "SPACES.md").read_text()
    begin, end = "<!-- conformance:begin -->\n", "<!-- conformance:end -->"
    assert begin in text and end in text, "docs/SPACES.md lost its generated-matrix markers"
    shown = text.split(begin, 1)[1].split(end, 1)[0]
    assert shown == render_markdown(full_matrix), (
        "docs/SPACES.md is stale: regenerate it with `python benchmarks/spaces_doc.py`"
    )


# ------------------------------------------------------------------ imported tables
@pytest.mark.slow
def test_every_strategy_on_the_imported_tables(reference_dir: Path, tmp_path: Path) -> None:
    from nasbench_suite.importers.naslib_zc import read_naslib_zc
    from nasbench_suite.importers.nats_archive import read_nats_archive
    from nasbench_suite.store import write_store

    sources = {
        "nb101": lambda: read_naslib_zc(reference_dir / "nb101_zc" / "zc_nasbench101.json", space="nb101"),
        "darts": lambda: read_naslib_zc(reference_dir / "nb301_zc" / "zc_nasbench301.json", space="darts"),
        "transnas101-micro": lambda: read_naslib_zc(reference_dir / "transnas101_zc" / "zc_transbench101_micro.json",
                                                    space="transnas101-micro"),
        "transnas101-macro": lambda: read_naslib_zc(reference_dir / "transnas101_zc" / "zc_transbench101_macro.json",
                                                    space="transnas101-macro"),
        "nats-sss": lambda: read_nats_archive(reference_dir / "nats_archive_sample" / "NATS-sss-v1_0-50262-simple",
                                              progress=False),
    }
    tables = {}
    for space, read in sources.items():
        tables[space] = tmp_path / f"{space}.h5"
        write_store(tables[space], read())
    cells = run_matrix(tmp_path, spaces=list(sources), tables=tables, estimators=("learning-curves",))
    bad = unexpected(cells)
    assert not bad, "\n".join(f"{c.name} on {c.space} ({c.benchmark}): {c.status}: {c.reason}" for c in bad)
    by = {(c.name, c.space, c.benchmark): c.status for c in cells}
    for space in sources:
        for kind in ("table", "surrogate"):
            for name in ("rs", "re", "ls", "hyperband", "rs-lce", "bananas", "gp-bo", "smac", "tpe", "reinforce", "bohb"):
                assert by[(name, space, kind)] == PASS, (name, space, kind)
        # the NASLib tables carry zero-cost columns: zc-re warm-starts from them
        if space != "nats-sss":
            assert by[("zc-re", space, "table")] == PASS
