"""Compare a few search strategies over a few seeds on the simulated clock, and build a leaderboard.

Writes ``results.jsonl`` and the board folder ``board/`` in the current directory.

Run: python examples/compare_strategies.py
"""

from __future__ import annotations

import json
from pathlib import Path

from nasbench_suite.harness import Budget, SweepSpec, run_sweep
from nasbench_suite.leaderboard.board import build


def main() -> None:
    spec = SweepSpec(benchmark="nb201-digits", dataset="digits-hard", strategies=("rs", "re", "ls"),
                     seeds=(0, 1, 2), budget=Budget.evals(40))
    out = Path("results.jsonl")
    run_sweep(spec, out, progress=False)
    for line in out.read_text().splitlines():
        rec = json.loads(line)
        final = rec["final"]
        print(f"{rec['strategy']['name']:>3} seed {rec['seed']}: test {final['test']:.2f}, regret {final['regret']:.2f} "
              f"after {final['evals']} evaluations ({final['time']:.0f} simulated s)")
    board = build([out], "board")
    print(f"leaderboard written to board/ ({len(board['entries'])} entries)")


if __name__ == "__main__":
    main()
