"""The protocol every importer implements."""

from __future__ import annotations

import argparse
from typing import ClassVar, Protocol

from nasbench_suite.store.model import BenchmarkData


class Importer(Protocol):
    """Reads one public format from local paths into a :class:`BenchmarkData`."""

    #: the format's name on the command line (``nasbench import <name>``)
    name: ClassVar[str]
    #: one line for ``nasbench import --help``
    help: ClassVar[str]

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add the format's own arguments (input paths, options); ``--out`` is added for you."""
        ...

    def read(self, args: argparse.Namespace) -> BenchmarkData:
        """Read the sources named in ``args``; raise ImportFormatError on malformed input."""
        ...
