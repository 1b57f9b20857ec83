"""NePS' Hyperband and ASHA on a benchmark through the objective API, ranked on a board.

Needs the neps extra: pip install 'nasbench-suite[neps]'.
Run: python examples/neps_study.py
"""

from __future__ import annotations

import nasbench_suite as nbs
from nasbench_suite.adapters.neps import run_neps
from nasbench_suite.harness import Budget
from nasbench_suite.harness.results import dumps, write_lines_atomic
from nasbench_suite.harness.runner import run_search
from nasbench_suite.leaderboard.board import build


def main() -> None:
    bench = nbs.load("nb201-digits")
    budget = Budget.evals(20)
    recs = [run_neps(bench, "digits-hard", optimizer=optimizer, budget=budget, seed=seed)
            for optimizer in ("hyperband", "asha") for seed in (0, 1)]
    recs += [run_search(bench, "digits-hard", "rs", seed=seed, budget=budget) for seed in (0, 1)]
    for rec in recs[::2]:
        final = rec["final"]
        print(f"{rec['strategy']['name']}: test {final['test']:.2f} after {final['evals']} evaluations")
    write_lines_atomic("neps.jsonl", [dumps(r) for r in recs])
    board = build(["neps.jsonl"], "neps-board")
    print(f"board written to neps-board/ ({len(board['entries'])} entries)")


if __name__ == "__main__":
    main()
