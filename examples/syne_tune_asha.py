"""Syne Tune's ASHA and random search on a benchmark through its simulated backend, ranked on a board.

Needs the syne-tune extra: pip install 'nasbench-suite[syne-tune]'.
Run: python examples/syne_tune_asha.py
"""

from __future__ import annotations

import nasbench_suite as nbs
from nasbench_suite.adapters.syne_tune import run_syne_tune
from nasbench_suite.harness import Budget
from nasbench_suite.harness.results import dumps, write_lines_atomic
from nasbench_suite.harness.runner import run_search
from nasbench_suite.leaderboard.board import build


def main() -> None:
    bench = nbs.load("nb201-digits")
    budget, workers = Budget.seconds(60), 4
    recs = [run_syne_tune(bench, "digits-hard", scheduler=name, budget=budget, workers=workers, seed=seed)
            for name in ("ASHA", "RandomSearch") for seed in (0, 1)]
    recs += [run_search(bench, "digits-hard", "asha", seed=seed, budget=budget, workers=workers) for seed in (0, 1)]
    for rec in recs[::2]:
        final = rec["final"]
        print(f"{rec['strategy']['name']}: test {final['test']:.2f} after {final['evals']} evaluations")
    write_lines_atomic("syne-tune.jsonl", [dumps(r) for r in recs])
    board = build(["syne-tune.jsonl"], "syne-tune-board")
    print(f"board written to syne-tune-board/ ({len(board['entries'])} entries)")


if __name__ == "__main__":
    main()
