"""SMAC3's multi-fidelity facade and Hyperband on a benchmark through the objective API, ranked on a board.

Needs the smac extra: pip install 'nasbench-suite[smac]'.
Run: python examples/smac_study.py
"""

from __future__ import annotations

import nasbench_suite as nbs
from nasbench_suite.adapters.smac import run_smac
from nasbench_suite.harness import Budget
from nasbench_suite.harness.results import dumps, write_lines_atomic
from nasbench_suite.harness.runner import run_search
from nasbench_suite.leaderboard.board import build


def main() -> None:
    bench = nbs.load("nb201-digits")
    budget = Budget.evals(20)
    recs = [run_smac(bench, "digits-hard", facade=facade, budget=budget, seed=seed,
                     facade_params={"initial_design": {"n_configs": 5}} if facade == "mf" else None)
            for facade in ("mf", "hb") for seed in (0, 1)]
    recs += [run_search(bench, "digits-hard", "rs", seed=seed, budget=budget) for seed in (0, 1)]
    for rec in recs[::2]:
        final = rec["final"]
        print(f"{rec['strategy']['name']}: test {final['test']:.2f} after {final['evals']} evaluations")
    write_lines_atomic("smac.jsonl", [dumps(r) for r in recs])
    board = build(["smac.jsonl"], "smac-board")
    print(f"board written to smac-board/ ({len(board['entries'])} entries)")


if __name__ == "__main__":
    main()
