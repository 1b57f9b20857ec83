"""Worker processes that die with their parent.

A process pool's workers outlive a parent killed with ``kill -9`` (nothing
runs in the parent to stop them) and keep computing for nobody. Every pool of
the suite passes :func:`die_with_parent` (or calls it from its own
initializer) so that its workers exit as soon as the parent is gone:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` has the kernel kill the
  worker the moment its parent exits;
- everywhere, a daemon thread polls ``os.getppid()`` and exits the worker
  when it changes (the parent died and the worker was re-parented).

Examples
--------
>>> import multiprocessing, os
>>> from concurrent.futures import ProcessPoolExecutor
>>> pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"),
...                            initializer=die_with_parent, initargs=(os.getpid(),))  # doctest: +SKIP
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

#: ``PR_SET_PDEATHSIG`` from ``<linux/prctl.h>``
_PR_SET_PDEATHSIG = 1
#: seconds between two looks at the parent in the portable watch
POLL_SECONDS = 0.5
#: exit status of a worker whose parent died
ORPHAN_EXIT = 3


def _prctl_pdeathsig() -> bool:
    """Ask the Linux kernel to SIGKILL this process when its parent exits; False where that is not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return False


def _watch(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(ORPHAN_EXIT)
        time.sleep(POLL_SECONDS)


def die_with_parent(parent: int, kernel: bool = True) -> None:
    """Make this (worker) process exit when process ``parent`` is gone; use as, or call from, a pool initializer.

    Parameters
    ----------
    parent
        The pid of the process that started the pool (``os.getpid()`` there).
        When the worker's parent already differs, the parent died before the
        worker got here, and the worker exits at once.
    kernel
        Also ask the Linux kernel (``PR_SET_PDEATHSIG``). The kernel signals
        when the parent *thread* that started the worker exits, so pass
        :func:`watch_args`, which turns it off for pools started outside the
        main thread.
    """
    if kernel:
        _prctl_pdeathsig()
    if os.getppid() != parent:  # died before the kernel could be asked
        os._exit(ORPHAN_EXIT)
    threading.Thread(target=_watch, args=(parent,), name="parent-watch", daemon=True).start()


def watch_args() -> tuple[int, bool]:
    """``initargs`` for :func:`die_with_parent`, computed in the process (and thread) that starts the pool."""
    return os.getpid(), threading.current_thread() is threading.main_thread()


__all__ = ["ORPHAN_EXIT", "POLL_SECONDS", "die_with_parent", "watch_args"]
