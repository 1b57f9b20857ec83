"""``nasbench generate``: train a search space's cells and write a benchmark table (resumable)."""

from __future__ import annotations

import argparse
import os
import sqlite3
from dataclasses import fields
from types import SimpleNamespace
from typing import Any

from nasbench_suite.training.protocol import TrainProtocol

from nasbench_suite.cli._common import non_negative_int, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``generate`` subcommand."""
    defaults = SimpleNamespace(**{f.name: f.default for f in fields(TrainProtocol)})
    p = subparsers.add_parser(
        "generate",
        help="train every cell of a search space (or a uniform sample of it) and write a benchmark table",
        description="Train one network per isomorphism class for each seed and write the table: the whole space, "
        "or with --sample N a uniform sample of N architectures (the only kind for nb101 and darts). "
        "Resumable: rerun the same command after an interruption and it continues.",
    )
    p.add_argument("--space", default="nb201", help="search space (default: nb201)")
    p.add_argument("--sample", type=positive_int, default=None, metavar="N",
                   help="train N distinct architectures drawn uniformly instead of the whole space")
    p.add_argument("--sample-seed", type=non_negative_int, default=0,
                   help="seed of the architecture draw (default: 0); a larger N with the same seed extends a table")
    p.add_argument("--dataset", default=defaults.dataset, help=f"training dataset (default: {defaults.dataset})")
    p.add_argument("--skeleton", default=defaults.skeleton,
                   help=f"network skeleton of the space, e.g. light or official (default: {defaults.skeleton})")
    p.add_argument("--channels", type=positive_int, default=None,
                   help="the skeleton's channel size (NB201: channels C of the first stage; default: the skeleton's)")
    p.add_argument("--cells", type=positive_int, default=None,
                   help="the skeleton's cell count (NB201: cells N per stage; default: the skeleton's)")
    p.add_argument("--epochs", type=positive_int, default=defaults.epochs, help=f"training epochs (default: {defaults.epochs})")
    p.add_argument("--batch-size", type=positive_int, default=defaults.batch_size, help="training batch size")
    p.add_argument(
        "--bn-recalibrate",
        type=non_negative_int,
        default=defaults.bn_recalibrate,
        metavar="K",
        help=f"before each evaluation, recompute BatchNorm statistics over the first K training images; 0 turns it off (default: {defaults.bn_recalibrate})",
    )
    p.add_argument("--seeds", type=non_negative_int, nargs="+", default=[0, 1], help="training seeds (default: 0 1)")
    p.add_argument("--out", required=True, help="output table (.h5); the journal is written next to it")
    p.add_argument("--name", default=None, help="benchmark name (default: the output file's stem)")
    p.add_argument("--workers", type=positive_int, default=1, help="parallel single-threaded worker processes")
    p.add_argument("--engine", default="local", help="execution engine: local or ray (default: local)")
    p.add_argument("--ray-address", default=os.environ.get("RAY_ADDRESS"), help="Ray cluster address")
    p.add_argument("--limit", type=positive_int, default=None, help="train only the first K isomorphism classes")
    p.add_argument("--device", default="cpu", help="torch device for training: cpu or cuda")
    p.add_argument("--data-root", default=None, help="folder holding local dataset files (CIFAR, ImageNet16)")
    p.add_argument("--arch-file", action="append", default=[], metavar="FILE",
                   help="add the architectures a search proposed to a sampled table: a results file of 'nasbench run' "
                   "(its strategies and benchmark are recorded) or a list of architecture strings, one a line; repeatable")
    p.add_argument("--proposed-by", default=None, metavar="STRATEGY",
                   help="the strategy that proposed a plain --arch-file's architectures (overrides a results file's)")
    p.add_argument("--proposal-source", default=None, metavar="TEXT",
                   help="what that strategy searched, e.g. the surrogate's name and checksum (overrides a results file's)")
    p.add_argument("--extend", default=None, metavar="TABLE",
                   help="grow a sampled table that has no journal (e.g. a shipped one): its jobs seed this generation's "
                   "journal and only new draws or seeds are trained; same space, protocol and --sample-seed; may be --out")
    p.add_argument("--requested-seeds-only", action="store_true",
                   help="hold only --seeds in the table, not the other seeds the journal has for some of its classes")
    p.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the generation described by ``args``."""
    from nasbench_suite.training.builders import get_builder
    from nasbench_suite.training.generate import generate_table

    _check_device(args.device)
    builder = get_builder(args.space, args.skeleton)
    protocol = TrainProtocol(
        dataset=args.dataset,
        skeleton=args.skeleton,
        channels=builder.channels if args.channels is None else args.channels,
        cells=builder.cells if args.cells is None else args.cells,
        epochs=args.epochs,
        batch_size=args.batch_size,
        bn_recalibrate=args.bn_recalibrate,
    )
    from nasbench_suite.training.proposals import read_proposals

    proposals = [p for f in args.arch_file
                 for p in read_proposals(f, space=args.space, strategy=args.proposed_by, source=args.proposal_source)]
    try:
        data = generate_table(
            args.out,
            protocol,
            space=args.space,
            seeds=args.seeds,
            workers=args.workers,
            engine=args.engine,
            limit=args.limit,
            sample=args.sample,
            sample_seed=args.sample_seed,
            device=args.device,
            data_root=args.data_root,
            name=args.name,
            ray_address=args.ray_address,
            show_progress=not args.no_progress,
            proposals=proposals,
            journaled_seeds=not args.requested_seeds_only,
            extend=args.extend,
        )
    except sqlite3.Error as exc:  # the journal could not be written
        from nasbench_suite._atomic import DiskFullError
        from nasbench_suite.training.generate import journal_path

        journal = journal_path(args.out)
        if "full" in str(exc) or _nearly_full(journal.parent):
            raise DiskFullError(f"no space left on device while writing the generation journal {journal}; the jobs "
                                "journaled so far are kept (free space and rerun the same command to resume)") from exc
        raise OSError(f"generation journal {journal}: {exc}") from exc
    coverage = data.protocol.get("seed_coverage", {})
    seeds = ", ".join(f"{s} ({coverage[s]} classes)" if s in coverage else s for s in map(str, data.protocol["seeds"]))
    proposed = data.protocol.get("proposed", {}).get("count", 0)
    print(f"wrote {args.out}: {len(data.archs)} architectures ({proposed} proposed by search), seeds {seeds}, "
          f"{args.epochs} epochs")
    return 0


def _nearly_full(folder: Any) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def _check_device(device: str) -> None:
    """Refuse a device string torch cannot parse before any file is written."""
    import torch

    try:
        torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"--device must be a torch device such as cpu, cuda or cuda:1, got {device!r}") from None
