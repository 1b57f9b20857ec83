"""Quieting the optimizers the adapters drive: their loggers report every trial and incumbent."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

__all__ = ["quiet_logger"]


@contextlib.contextmanager
def quiet_logger(name: str, level: int) -> Iterator[None]:
    """Logger ``name`` at ``level`` for the block, its own level restored after."""
    logger = logging.getLogger(name)
    before = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)
