"""``nasbench predictors run|build|verify|list``: the predictor benchmark's protocol runs, boards and checks."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.cli._common import add_force, non_negative_int, positive_int


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(t) for t in text.split(",") if t.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated training sizes >= 2, e.g. 10,100,1000; got {text!r}") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError(f"expected comma-separated training sizes >= 2, e.g. 10,100,1000; got {text!r}")
    return sizes


def _targets(text: str) -> tuple[object, ...]:
    from nasbench_suite.predictors.protocol import Target

    try:
        targets = tuple(dict.fromkeys(Target.parse(t.strip()) for t in text.split(",") if t.strip()))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if not targets:
        raise argparse.ArgumentTypeError(f"expected targets like valid_acc@12,valid_acc@3; got {text!r}")
    return targets


def register(sub: argparse._SubParsersAction) -> None:
    from nasbench_suite.predictors.protocol import SIZES, TEST_SIZE

    parser = sub.add_parser("predictors", help="benchmark performance predictors: protocol runs, boards and their verification")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    run = verbs.add_parser("run", help="fit and score predictors x sizes x seeds on group-held-out cells (resumable)",
                           description="Fit every predictor on nested training sets of each size per seed and score it on "
                           "held-out cells with no isomorph in any training set; one JSON line per cell. Rerunning with "
                           "the same --out keeps the finished cells.")
    run.add_argument("--benchmark", required=True, help="a table: a catalog name or a store file")
    run.add_argument("--dataset", required=True, help="dataset of the table")
    run.add_argument("--predictors", default="all", help="'all' or a comma-separated list (see `nasbench predictors list`)")
    run.add_argument("--sizes", type=_sizes, default=SIZES, help=f"training sizes (default {','.join(map(str, SIZES))})")
    run.add_argument("--seeds", default="0-19", help="e.g. 0-19 or 0,3,10-12 (default 0-19)")
    run.add_argument("--targets", type=_targets, default=None,
                     help="METRIC@EPOCH list (default: valid_acc at the final epoch and at an early one; test_acc where valid is not measured)")
    run.add_argument("--test-size", type=positive_int, default=TEST_SIZE, help=f"held-out cells scored per seed (default {TEST_SIZE})")
    run.add_argument("--split-size", type=positive_int, default=None,
                     help="training size the test set is held out from (default: the largest of --sizes); with the "
                     "protocol's 1000, a run of only the smaller sizes joins a full run's results file")
    run.add_argument("--jobs", type=positive_int, default=1, help="cells fitted in parallel processes (default 1)")
    run.add_argument("--out", type=Path, required=True, help="results file (.jsonl)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=_run)

    build = verbs.add_parser("build", help="build a predictor board (tables with CIs, ranks, paired tests, curves, HTML)")
    build.add_argument("paths", nargs="+", type=Path, help="results files of one protocol run (.jsonl or .jsonl.gz)")
    build.add_argument("--out", type=Path, required=True, help="board folder to write")
    build.add_argument("--title", help="page title")
    add_force(build, "board in --out")
    build.set_defaults(func=_build)

    verify = verbs.add_parser("verify", help="check a board's files and numbers, and re-fit a sample of its cells")
    verify.add_argument("directory", type=Path, help="board folder (with board.json)")
    verify.add_argument("--benchmark", required=True, help="the table the board was scored on: a catalog name or a store file")
    verify.add_argument("--sample", type=non_negative_int, default=5, help="cells to re-fit (default 5)")
    verify.add_argument("--seed", type=non_negative_int, default=None, help="seed of the sample (default: unpredictable)")
    verify.add_argument("--predictors", default=None,
                        help="re-fit only these predictors' cells (comma-separated; default: any cell)")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(func=_verify)

    ls = verbs.add_parser("list", help="the registered predictors")
    ls.set_defaults(func=_list)


def _run(args: argparse.Namespace) -> int:
    from nasbench_suite.catalog import resolve
    from nasbench_suite.harness import parse_seeds
    from nasbench_suite.predictors.protocol import default_targets
    from nasbench_suite.predictors.registry import parse_predictors
    from nasbench_suite.predictors.runner import RunSpec, run_protocol

    predictors = parse_predictors(args.predictors)
    seeds = parse_seeds(args.seeds)
    bench = resolve(args.benchmark)
    if args.dataset not in bench.datasets:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("dataset", args.dataset, bench.datasets)
    targets = args.targets or default_targets(bench, args.dataset)
    if args.predictors.strip() == "all":
        from nasbench_suite.predictors.runner import applicable

        predictors, skipped = applicable(args.benchmark, args.dataset, predictors, targets[0])
        for name, why in skipped.items():
            print(f"  skipped {name}: {why}")
    spec = RunSpec(args.benchmark, args.dataset, tuple(targets), predictors, tuple(args.sizes), seeds, args.test_size,
                   args.split_size)
    summary = run_protocol(spec, args.out, jobs=args.jobs, progress=not args.no_progress)
    print(f"{summary.out}: {summary.total} cells ({summary.kept} kept, {summary.ran} run) in {summary.seconds:.1f} s; "
          f"targets {', '.join(map(str, targets))}")
    for name, target, size, seed, error in summary.failed:
        print(f"  failed: {name} {target} size {size} seed {seed}: {error}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from nasbench_suite.predictors.board import JSON_NAME, build_board

    if (args.out / JSON_NAME).exists() and not args.force:
        raise FileExistsError(f"{args.out} already holds a board; pass --force to replace it")
    for p in args.paths:
        if not p.is_file():
            raise FileNotFoundError(f"results file {str(p)!r} does not exist")
    board = build_board(list(args.paths), args.out, title=args.title)
    failed = board["cost"]["failed"]
    print(f"board written to {args.out}/ ({len(board['predictors'])} predictors, {len(board['targets'])} targets, "
          f"{board['cost']['cells']} cells, {failed} failed)")
    for t in board["targets"]:
        for s in t["sizes"]:
            best = s["entries"][0]
            print(f"  {t['target']} @{s['size']}: best {best['predictor']} Kendall tau {best['scores']['kendall_tau']['mean']}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from nasbench_suite.predictors.verify import report_json, verify_board

    names = None if args.predictors is None else [n.strip() for n in args.predictors.split(",") if n.strip()]
    report = verify_board(args.directory, benchmark=args.benchmark, sample=args.sample, seed=args.seed, predictors=names)
    if args.json:
        print(report_json(report))
    else:
        for p in report.problems:
            print(f"problem: {p}")
        for c in report.cells:
            status = "ok" if c.ok else "MISMATCH"
            diff = max(c.differences.values()) if c.differences else 0.0
            print(f"{status}: {c.predictor} {c.target} size {c.size} seed {c.seed} ({c.mode}; max |diff| {diff:.2g}) {c.note}")
        print(f"{report.board}: {'verified' if report.ok else 'NOT verified'} ({len(report.cells)} cells re-fitted)")
    return 0 if report.ok else 1


def _list(args: argparse.Namespace) -> int:
    from nasbench_suite.predictors.registry import PREDICTORS

    for name in PREDICTORS.names():
        print(name)
    return 0
