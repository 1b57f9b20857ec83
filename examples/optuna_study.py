"""Optuna on a benchmark, two ways: a sampler run by the harness (results go on a board), and a plain study loop.

Run: python examples/optuna_study.py
"""

from __future__ import annotations

import logging

import optuna

import nasbench_suite as nbs
from nasbench_suite.adapters.optuna import run_optuna
from nasbench_suite.harness import Budget


def main() -> None:
    bench = nbs.load("nb201-digits")

    # 1. Any Optuna sampler as a strategy: the harness evaluates on the simulated clock and
    #    returns a normal results record (a line of a results file, see `nasbench run --strategies optuna`).
    rec = run_optuna(bench, "digits-hard", sampler="TPESampler", sampler_params={"n_startup_trials": 10},
                     budget=Budget.evals(40), seed=0)
    final = rec["final"]
    print(f"TPESampler via the harness: test {final['test']:.2f}, regret {final['regret']:.2f}, "
          f"{final['evals']} evaluations in {final['time']:.0f} simulated s")

    # 2. The black-box way, as with HPOBench or YAHPO: ConfigSpace in, metrics and cost out.
    logging.getLogger("optuna").setLevel(logging.WARNING)
    cs = bench.configspace()
    space = {hp.name: optuna.distributions.CategoricalDistribution(list(hp.choices)) for hp in cs.values()}
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    spent = 0.0
    for _ in range(40):
        trial = study.ask(space)
        res = bench.objective(trial.params, fidelity=12)
        spent += res.cost
        study.tell(trial, res.valid)
    best = bench.objective(study.best_params)
    print(f"plain study loop: best valid {study.best_value:.2f} (test {best.test:.2f}) "
          f"after {len(study.trials)} trials, {spent:.0f} {best.clock_unit} of training")


if __name__ == "__main__":
    main()
