"""``benchmarks/surrogate_quality.py`` on a table of another space: group-held-out scores and the noise ceiling."""

from __future__ import annotations

import re

import pytest

import nasbench_suite as nbs
from nasbench_suite.table_stats import kendall_ceiling, table_stats


@pytest.fixture(scope="module")
def script(benchmark_script):
    return benchmark_script("surrogate_quality")


def test_scores_the_nb101_table_group_held_out_and_states_its_noise_ceiling(script, capsys, tmp_path) -> None:
    runs = tmp_path / "runs.jsonl"
    script.main(["--benchmark", "nb101-digits", "--datasets", "digits-hard", "--models", "ridge", "--sizes", "50",
                 "--seeds", "0", "--metric", "valid_acc", "--jsonl", str(runs)])
    out = capsys.readouterr().out
    assert re.search(r"\| digits-hard \| 50 \| ridge \| 1 \| 0\.\d{3} ± 0\.000", out)
    stats = table_stats(nbs.load("nb101-digits"), "digits-hard", metric="valid_acc")
    assert f"seed-to-seed Kendall tau {stats.kendall:.3f} over {stats.paired_networks} networks" in out
    assert f"{kendall_ceiling(stats.kendall, 1):.3f} (1 seed)" in out
    # the held-out cells have no isomorph among the 50 training cells and the run is kept for resuming
    assert '"split": "group"' in runs.read_text()
