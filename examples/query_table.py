"""Query a tabular benchmark: one architecture, many at once, the best one, and the objective API.

Run: python examples/query_table.py
"""

from __future__ import annotations

import numpy as np

import nasbench_suite as nbs


def main() -> None:
    bench = nbs.load("nb201-digits")  # the small table shipped with the suite
    dataset = bench.datasets[0]
    print(bench)
    print(f"dataset {dataset!r}: epochs {bench.epochs(dataset)}, seeds {bench.seeds(dataset)}")

    arch = bench.archs[0]
    res = bench.query(arch, dataset)  # seed mean at the final epoch
    print(f"{arch}\n  valid_acc {res.valid_acc:.2f}  test_acc {res.test_acc:.2f}  (epoch {res.epoch})")
    early = bench.query(arch, dataset, epoch=3, seed=0)
    print(f"  at epoch 3, seed 0: valid_acc {early.valid_acc:.2f}")

    # every architecture at once: one array read, no Python loop
    valid = bench.query_many(None, dataset, metric=nbs.Metric.VALID_ACC)
    print(f"{len(valid)} architectures, median valid_acc {np.nanmedian(valid):.2f}")
    best, value = bench.optimum(dataset, metric=nbs.Metric.TEST_ACC)
    print(f"best by test_acc: {best} ({value:.2f})")

    # the black-box view: a ConfigSpace configuration in, metrics and cost out
    cs = bench.configspace(seed=0)
    config = {name: str(value) for name, value in cs.sample_configuration().items()}
    out = bench.objective(config, fidelity=6)
    print(f"objective({config}, fidelity=6) ->\n  valid {out.valid:.2f}, test {out.test:.2f}, "
          f"cost {out.cost:.2f} {out.clock_unit}, arch {out.arch}")


if __name__ == "__main__":
    main()
