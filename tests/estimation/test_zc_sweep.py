"""The zero-cost sweep: once per isomorphism class, columns that read back, the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite import open_benchmark
from nasbench_suite.cli import main
from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.zc_setup import NO_PATH, ProxySetup, compute_proxies
from nasbench_suite.estimation.zc_sweep import read_data, sweep_archs, zc_sweep
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.store import write_store
from nasbench_suite.testing.tables import make_small_data

NET = {"skeleton": "light", "channels": 8, "cells": 1, "train_dataset": "digits-hard", "batch_size": 16}
#: two isomorphic cells (edge 0->1 is dead: node 1 feeds nothing) and the all-none cell
ISO_A = "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
ISO_B = "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    data = make_small_data(n_arch=12, epochs=3, dataset="toy")
    data.archs[10], data.archs[11] = NONE, ISO_B
    data.archs[9] = ISO_A
    path = tmp_path / "small.h5"
    write_store(path, data)
    return path


def test_read_data_round_trips_a_store(small: Path, tmp_path: Path) -> None:
    bench = open_benchmark(small)
    copy = tmp_path / "copy.h5"
    write_store(copy, read_data(bench))
    again = open_benchmark(copy)
    assert again.checksum == bench.checksum


def test_sweep_writes_columns_that_read_back(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "zc.h5"
    result = zc_sweep(small, out, proxies="synflow,nwot,params", workers=1, show_progress=False, **NET)
    assert result.classes == 11  # ISO_A and ISO_B share a class
    bench, orig = open_benchmark(out), open_benchmark(small)
    cols = bench.columns("toy")
    assert {"zc/synflow", "zc/nwot", "zc/params", "zc_reason/synflow", "zc/synflow"} <= set(cols)
    assert "zc/synflow" in orig.columns("toy")  # the synthetic table's own column is replaced
    row = {a: i for i, a in enumerate(bench.archs)}
    direct = compute_proxies(ISO_A, ["synflow", "nwot"], setup=ProxySetup(batch_size=16))
    assert cols["zc/synflow"][row[ISO_A]] == pytest.approx(direct["synflow"].value, rel=1e-12)
    assert cols["zc/nwot"][row[ISO_B]] == cols["zc/nwot"][row[ISO_A]]
    assert math.isnan(cols["zc/synflow"][row[NONE]]) and math.isfinite(cols["zc/params"][row[NONE]])
    prov = bench.dataset_provenance("toy")["zero_cost"]
    code = int(cols["zc_reason/synflow"][row[NONE]])
    assert code >= 1 and prov["reasons"]["synflow"][code - 1] == NO_PATH
    assert cols["zc_reason/params"][row[NONE]] == 0
    assert prov["setup"] == {"dataset": "digits-hard", "skeleton": "light", "channels": 8, "cells": 1, "seed": 0,
                             "batch_size": 16}
    assert prov["undefined_counts"]["synflow"] == int(np.isnan(cols["zc/synflow"]).sum())
    np.testing.assert_array_equal(bench.curves("toy"), orig.curves("toy"))  # the table itself is unchanged
    assert bench.provenance["derived_from"]["checksum"] == orig.checksum


def test_a_table_without_protocol_needs_the_network(small: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="records no training protocol"):
        zc_sweep(small, tmp_path / "x.h5", proxies="params", workers=1, show_progress=False)


def test_unknown_proxy_fails_before_any_work(small: Path, tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="valid: .*'nwot'"):
        zc_sweep(small, tmp_path / "x.h5", proxies="synflow,naswot", workers=1, **NET)
    assert not (tmp_path / "x.h5").exists()


@pytest.mark.slow
def test_pool_gives_the_same_values_as_one_process() -> None:
    archs = [Architecture.from_index(i).to_string() for i in range(6)]
    setup = ProxySetup(batch_size=16)
    one = sweep_archs(archs, "synflow,snip", setup=setup, workers=1, show_progress=False)
    two = sweep_archs(archs, "synflow,snip", setup=setup, workers=2, show_progress=False)
    for p in one.values:
        np.testing.assert_array_equal(one.values[p], two.values[p])


def test_cli_zc(small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.h5"
    args = ["zc", "--benchmark", str(small), "--proxies", "params,snip", "--workers", "1", "--skeleton", "light",
            "--channels", "8", "--cells", "1", "--train-dataset", "digits-hard", "--batch-size", "8", "--out", str(out),
            "--no-progress"]
    assert main(args) == 0
    assert {"zc/params", "zc/snip"} <= set(open_benchmark(out).columns("toy"))
    assert "snip" in capsys.readouterr().out
    bad = ["zc", "--benchmark", str(small), "--proxies", "zen", "--out", str(tmp_path / "bad.h5")]
    assert main(bad) == 2
    assert "unknown zero-cost proxy 'zen'; valid:" in capsys.readouterr().err


def test_scores_are_reused_from_a_table_of_the_same_setup(small: Path, tmp_path: Path) -> None:
    """Another training of the same cells takes the stored scores unchanged; another setup is refused."""
    first = tmp_path / "first.h5"
    zc_sweep(small, first, proxies="synflow,params", workers=1, show_progress=False, **NET)
    retrained = make_small_data(n_arch=12, epochs=5, dataset="toy", seed=7)  # other numbers, same cells
    retrained.archs[:] = open_benchmark(small).archs[::-1]  # and another row order
    other = tmp_path / "retrained.h5"
    write_store(other, retrained)
    out = tmp_path / "reused.h5"
    result = zc_sweep(other, out, proxies="synflow", show_progress=False, reuse=first, **NET)
    assert result.classes == 11
    src, got = open_benchmark(first), open_benchmark(out)
    want = dict(zip(src.archs, src.columns("toy")["zc/synflow"]))
    np.testing.assert_array_equal(got.columns("toy")["zc/synflow"], [want[a] for a in got.archs])
    prov = got.dataset_provenance("toy")["zero_cost"]
    assert prov["reused_from"]["checksum"] == src.checksum and prov["proxies"] == ["synflow"]
    assert prov["compute"] == src.dataset_provenance("toy")["zero_cost"]["compute"]  # the scores' own record
    np.testing.assert_array_equal(got.curves("toy"), open_benchmark(other).curves("toy"))
    with pytest.raises(ValueError, match="batch_size 16 there, 8 here"):
        zc_sweep(other, tmp_path / "x.h5", proxies="synflow", show_progress=False, reuse=first, **{**NET, "batch_size": 8})
    with pytest.raises(ValueError, match="no nwot column"):
        zc_sweep(other, tmp_path / "y.h5", proxies="nwot", show_progress=False, reuse=first, **NET)
    cli_out = tmp_path / "cli-reused.h5"
    args = ["zc", "--benchmark", str(other), "--proxies", "params", "--skeleton", "light", "--channels", "8", "--cells", "1",
            "--train-dataset", "digits-hard", "--batch-size", "16", "--reuse", str(first), "--out", str(cli_out), "--no-progress"]
    assert main(args) == 0
    assert open_benchmark(cli_out).dataset_provenance("toy")["zero_cost"]["reused_from"]["checksum"] == src.checksum
