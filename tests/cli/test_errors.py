"""Every subcommand, given bad arguments, fails with one ``error:`` line and exit status 2, never a traceback.

The subcommands are discovered from the parser, so a new one is walked as
soon as it is registered: the generic cases (every required argument a
missing file, a folder, a garbage file) need nothing from it, and
:data:`BASE` must give it one valid command line, from which every option in
turn is replaced by bad values of its kind (a missing file, a folder where a
file is expected, an unknown name, a negative, fractional or non-numeric
number...). Every failed command must also leave the inputs untouched and
write no output.
"""

from __future__ import annotations

import argparse
import hashlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from nasbench_suite.cli import build_parser, iter_commands, main
from nasbench_suite.cli._common import non_negative_float, non_negative_int, positive_int

#: one valid command line per subcommand; {store}, {results}, {surrogate} are small fixtures, {out} a fresh path
BASE: dict[str, list[str]] = {
    "demo": ["--out", "{out}", "--strategies", "rs", "--seeds", "0", "--budget-evals", "3", "--jobs", "1"],
    "info": ["{store}"],
    "query": ["{store}", "3", "--dataset", "toy"],
    "import naslib-zc": ["{garbage}", "--space", "nb201", "--out", "{out}.h5"],
    "import nats-archive": ["{garbage}", "--out", "{out}.h5"],
    "import nb101-tfrecord": ["{garbage}", "--out", "{out}.h5"],
    "import nb201-reference": ["--nats", "{garbage}", "--mini", "{garbage}", "--out", "{out}.h5"],
    "generate": ["--space", "nb201", "--dataset", "digits", "--skeleton", "light", "--channels", "4", "--cells", "1",
                 "--epochs", "1", "--batch-size", "32", "--seeds", "0", "--limit", "1", "--out", "{out}.h5", "--no-progress"],
    "verify": ["{store}", "--sample", "1"],
    "run": ["--benchmark", "{store}", "--dataset", "toy", "--strategies", "rs", "--seeds", "0", "--budget-evals", "3",
            "--out", "{out}.jsonl", "--no-progress"],
    "plot": ["{results}", "--out", "{out}.png"],
    "leaderboard build": ["{results}", "--out", "{out}"],
    "leaderboard verify": ["{results}", "--benchmark", "{store}", "--sample", "1"],
    "leaderboard submit": ["{results}", "--board", "{out}", "--benchmark", "{store}", "--sample", "1", "--seeds", "0-1"],
    "zc": ["--benchmark", "{store}", "--skeleton", "light", "--channels", "4", "--cells", "1", "--train-dataset", "digits",
           "--proxies", "params", "--workers", "1", "--batch-size", "8", "--out", "{out}.h5", "--no-progress"],
    "latency": ["--benchmark", "{store}", "--skeleton", "light", "--channels", "4", "--cells", "1", "--train-dataset", "digits",
                "--settings", "b1-t1", "--repeats", "1", "--warmup", "0", "--limit", "1", "--out", "{out}.h5", "--no-progress"],
    "surrogate fit": ["--benchmark", "{store}", "--dataset", "toy", "--train-size", "10", "--out", "{out}"],
    "surrogate build": ["--benchmark", "{store}", "--dataset", "toy", "--name", "x", "--model", "ridge",
                        "--runtime-model", "ridge", "--train-size", "10", "--out", "{out}"],
    "surrogate eval": ["{surrogate}", "--benchmark", "{store}"],
    "surrogate fidelity": ["--benchmark", "{store}", "--dataset", "toy", "--train-sizes", "10", "--strategies", "rs",
                           "--seeds", "0", "--evals", "3", "--model", "ridge", "--modes", "mean", "--out", "{out}"],
    "predictors run": ["--benchmark", "{store}", "--dataset", "toy", "--predictors", "ridge", "--sizes", "5", "--seeds", "0",
                       "--test-size", "5", "--out", "{out}.jsonl", "--no-progress"],
    "predictors build": ["{presults}", "--out", "{out}"],
    "predictors verify": ["{pboard}", "--benchmark", "{store}", "--sample", "1"],
    "predictors list": [],
    "conformance": ["--space", "nb201", "--strategy", "rs", "--kind", "table", "--no-estimators", "--evals", "3"],
}

BAD_INT = ("-1", "abc", "1.5")
BAD_FLOAT = ("nan", "-1", "abc")
UNKNOWN = "no-such-name"
#: options whose value is a file or folder that is read
INPUTS = {"benchmark", "results", "directory", "reuse", "paths", "path", "file", "nats", "mini", "arch_file", "merge", "extend"}
#: options whose value is written
OUTPUTS = {"out", "plot", "board", "workdir"}
#: options naming something from a fixed set
NAMES = {"dataset", "strategies", "proxies", "space", "skeleton", "engine", "device", "metric", "train_dataset", "arch",
         "budgets", "datasets", "strategy", "predictors"}
#: options whose value is free text or only used with other machines or data: nothing to refuse
FREE = {"title", "name", "ray_address", "data_root", "nonce", "proposed_by", "proposal_source"}
SPECIAL = {
    "seeds": ("-1", "5-2", "x", "1.5"),
    "train_size": ("0", "abc", "-3", "1.5"),
    "param": ("nope", "rs.nope=1", "nope.x=1"),
    "table": ("nope", "nope={store}", "nb201={missing}", "nb201={garbage}"),
    "track": ("no-such-track", "{garbage}"),
    "train_sizes": ("0", "abc", "-3", "1.5", "10,x"),
    "modes": ("nope", "mean,nope"),
    "front": ("valid_acc:up,params:min", "no_such_metric:max,params:min", "valid_acc:max", "test_acc:max,params:min"),
    "objectives": ("valid_acc:up,params:min", "no_such_metric:max,params:min", "valid_acc:max", "test_acc:max,params:min",
                   "valid_acc:max,params:min,flops:min,latency:min", "valid_acc:max,valid_acc:min"),
    "settings": ("nope", "b0-t1", "b1-t1,b1-t1"),
    "sizes": ("0", "abc", "-3", "1.5", "10,x", "100000"),
    "split_size": ("0", "abc", "-3", "1.5", "100000"),
    "targets": ("nope", "valid_acc@0", "nope@3", "valid_acc@99"),
}


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if action.dest in ("help", "debug", "prog") or action.nargs == 0 or action.choices is not None:
            continue
        yield action


def _values(action: argparse.Action, current: str | None) -> tuple[str, ...]:
    dest = action.dest
    if dest in SPECIAL:
        return SPECIAL[dest]
    if action.type in (int, positive_int, non_negative_int):
        return BAD_INT
    if action.type in (float, non_negative_float):
        return BAD_FLOAT
    if dest in INPUTS:
        return ("{missing}", "{folder}", "{garbage}", UNKNOWN) if dest == "benchmark" else ("{missing}", "{folder}", "{garbage}")
    if dest in OUTPUTS:
        is_file = current is not None and Path(current).suffix
        return ("{folder}", "{garbage}/x" + Path(current).suffix) if is_file else ("{garbage}", "{garbage}/sub")
    if dest in NAMES:
        return (UNKNOWN,)
    if dest in FREE:
        return ()
    raise AssertionError(f"option {dest!r} is new to this test: add it to one of INPUTS, OUTPUTS, NAMES, FREE or SPECIAL")


def _substitute(base: list[str], parser: argparse.ArgumentParser, action: argparse.Action, value: str) -> list[str]:
    """``base`` with ``action``'s value replaced by ``value`` (appended when ``base`` does not give it)."""
    argv = list(base)
    if not action.option_strings:  # a positional: replace its (first) word
        current = getattr(parser.parse_args(base), action.dest)
        current = str(current[0] if isinstance(current, list) else current)
        argv[argv.index(current)] = value
        return argv
    for flag in action.option_strings:
        if flag in argv:
            i = argv.index(flag)
            argv[i + 1] = value
            while i + 2 < len(argv) and not argv[i + 2].startswith("--"):  # further values of a nargs="+" option
                del argv[i + 2]
            return argv
    return [*argv, action.option_strings[-1], value]


def _current(base: list[str], parser: argparse.ArgumentParser, action: argparse.Action) -> str | None:
    value = getattr(parser.parse_args(base), action.dest, None)
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _cases() -> Iterator[tuple[str, list[str]]]:
    for path, parser in iter_commands(build_parser()):
        name = " ".join(path)
        required = [a for a in _options(parser) if a.required or not a.option_strings]
        yield f"{name}: no arguments", [*path] if required else [*path, "--no-such-option"]
        for fill in ("{missing}", "{folder}", "{garbage}") if required else ():
            argv = [*path]
            for a in required:  # an output gets a path below a file, which nothing can create
                argv += ([] if not a.option_strings else [a.option_strings[-1]]) + [fill if a.dest not in OUTPUTS else "{garbage}/x"]
            yield f"{name}: every argument {fill.strip('{}')}", argv
        base = BASE.get(name)
        if base is None:
            continue
        for action in _options(parser):
            for value in _values(action, _current(base, parser, action)):
                yield f"{name}: {action.dest}={value}", [*path, *_substitute(base, parser, action, value)]


CASES = list(_cases())


class _CaseTimeout(BaseException):
    """A case ran long: the command accepted the bad value and did real work."""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "-"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    root = tmp_path_factory.mktemp("hostile")
    store = root / "small.h5"
    write_store(store, make_small_data())
    results = root / "results.jsonl"
    assert main(["run", "--benchmark", str(store), "--dataset", "toy", "--strategies", "rs", "--seeds", "0-1",
                 "--budget-evals", "3", "--out", str(results), "--no-progress"]) == 0
    surrogate = root / "surrogate"
    assert main(["surrogate", "fit", "--benchmark", str(store), "--dataset", "toy", "--train-size", "10",
                 "--out", str(surrogate)]) == 0
    presults = root / "predictors.jsonl"
    assert main(["predictors", "run", "--benchmark", str(store), "--dataset", "toy", "--predictors", "ridge", "--sizes", "5",
                 "--seeds", "0", "--test-size", "5", "--out", str(presults), "--no-progress"]) == 0
    pboard = root / "pboard"
    assert main(["predictors", "build", str(presults), "--out", str(pboard)]) == 0
    garbage = root / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 4)
    folder = root / "folder"
    folder.mkdir()
    return {"store": store, "results": results, "surrogate": surrogate, "presults": presults, "pboard": pboard,
            "garbage": garbage, "folder": folder,
            "missing": root / "missing" / "none.h5"}


def test_every_subcommand_has_a_base_command_line() -> None:
    names = {" ".join(path) for path, _ in iter_commands(build_parser())}
    assert names - set(BASE) == set(), "give each new subcommand a valid command line in BASE"
    assert set(BASE) - names == set()


@pytest.mark.parametrize(("label", "argv"), CASES, ids=[c[0] for c in CASES])
def test_bad_arguments_give_one_error_line(label: str, argv: list[str], inputs: dict[str, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    values = {k: str(v) for k, v in inputs.items()} | {"out": str(out)}
    argv = [w.format(**values) for w in argv]
    before = {k: _digest(p) for k, p in inputs.items()}

    def expire(*_: object) -> None:
        raise _CaseTimeout(f"{label} was still running after 60 s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(60)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refused the command line
        code = exc.code
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text, text
    assert code == 2, f"{argv}: exit {code}\n{text}"
    errors = [line for line in captured.err.splitlines() if "error:" in line]
    assert len(errors) == 1, captured.err
    assert {k: _digest(p) for k, p in inputs.items()} == before, "a failed command changed an input file"
    assert not any(tmp_path.iterdir()), f"a failed command left {sorted(p.name for p in tmp_path.iterdir())}"


@pytest.mark.parametrize("argv", [
    ["run", "--benchmark", "{store}", "--dataset", "toy", "--seeds", "-1", "--budget-evals", "3", "--out", "{out}.jsonl"],
    ["generate", "--seeds", "-1", "--limit", "1", "--out", "{out}.h5"],
    ["query", "{store}", "3.0", "--dataset", "toy"],
    ["query", "{store}", "True", "--dataset", "toy"],
])
def test_named_bad_values(argv: list[str], inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The error names the value it refused; negative seeds are never run (a store's seed -1 means a mean)."""
    values = {k: str(v) for k, v in inputs.items()} | {"out": str(tmp_path / "out")}
    argv = [w.format(**values) for w in argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    bad = argv[argv.index("--seeds") + 1] if "--seeds" in argv else argv[2]
    assert repr(bad) in err or bad in err.split("error:")[-1], err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("arch", [True, False, 3.0, 2.5, None, [3]])
def test_non_integer_index_is_an_invalid_architecture(small_store: Path, arch: object) -> None:
    import numpy as np

    import nasbench_suite
    from nasbench_suite.errors import InvalidArchitectureError

    bench = nasbench_suite.open_benchmark(small_store)
    with pytest.raises(InvalidArchitectureError, match="expected an NB201"):
        bench.query(arch, "toy")
    with pytest.raises(InvalidArchitectureError):
        bench.query_many([arch], "toy", metric="test_acc")
    with pytest.raises(InvalidArchitectureError):
        bench.query_many(np.array([3.0]), "toy", metric="test_acc")


def _boom(args: argparse.Namespace) -> int:
    raise KeyError("a bug")


def test_internal_error_is_short_and_debug_shows_the_traceback(small_store: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    import nasbench_suite.cli.info as info

    monkeypatch.setattr(info, "run", _boom)
    monkeypatch.delenv("NASBENCH_DEBUG", raising=False)
    assert main(["info", str(small_store)]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["nasbench info: internal error: KeyError: 'a bug'; run with --debug for the traceback"]
    for argv in (["--debug", "info", str(small_store)], ["info", str(small_store), "--debug"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "Traceback" in err and "_boom" in err and "internal error: KeyError" in err
    monkeypatch.setenv("NASBENCH_DEBUG", "1")
    assert main(["info", str(small_store)]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_expected_error_with_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NASBENCH_DEBUG", raising=False)
    assert main(["info", str(tmp_path / "none.h5")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("nasbench info: error: ")
    assert main(["info", str(tmp_path / "none.h5"), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("nasbench info: error: ")
