"""Workers die with their parent: after ``kill -9`` of ``nasbench run --jobs 2`` no worker keeps running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``: psutil where installed, else /proc."""
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        try:
            return {c.pid for c in psutil.Process(pid).children() if c.status() != psutil.STATUS_ZOMBIE}
        except psutil.NoSuchProcess:
            return set()
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to watch the workers")
def test_kill_9_of_run_leaves_no_worker(small_store: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = "import sys; from nasbench_suite.cli import main; sys.exit(main(sys.argv[1:]))"
    parent = subprocess.Popen(
        [sys.executable, "-c", script, "run", "--benchmark", str(small_store), "--dataset", "toy", "--strategies", "rs,re",
         "--seeds", "0-4999", "--budget-evals", "20", "--jobs", "2", "--out", str(tmp_path / "r.jsonl"), "--no-progress"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and parent.poll() is None:
            # the pool's two workers (besides multiprocessing's resource tracker) have started and taken work
            workers = _children(parent.pid)
            if len(workers) >= 3 and (tmp_path / "r.jsonl").is_file() and (tmp_path / "r.jsonl").stat().st_size > 0:
                break
            time.sleep(0.1)
        assert parent.poll() is None, "the sweep ended before it could be killed; give it more work"
        assert len(workers) >= 2, f"no pool workers seen: {workers}"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        left = sorted(w for w in workers if _alive(w))
        assert left == [], f"workers {left} outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for w in _children(parent.pid):
            os.kill(w, signal.SIGKILL)


def test_die_with_parent_exits_an_orphan_at_once() -> None:
    """A worker whose parent is already gone (getppid differs) exits instead of starting its work."""
    code = ("import os; from nasbench_suite._workers import die_with_parent, ORPHAN_EXIT; "
            "die_with_parent(os.getppid() + 1, kernel=False); print('still here')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 3 and "still here" not in done.stdout
