"""The suite's exception hierarchy.

Every error subclasses a builtin so callers can catch it generically
(``except ValueError``) or precisely (``except InvalidArchitectureError``).
Messages name the value that was received and what was expected.
"""

from __future__ import annotations

from collections.abc import Iterable


def _names(valid: Iterable[object]) -> str:
    return ", ".join(repr(v) for v in valid)


class NasBenchError(Exception):
    """Base class of every error raised on purpose by nasbench-suite."""


class InvalidArchitectureError(NasBenchError, ValueError):
    """An architecture string, index or encoding that the search space rejects."""


class UnknownNameError(NasBenchError, LookupError, ValueError):
    """A name (dataset, benchmark, strategy, ...) that is not among the valid ones."""

    def __init__(self, kind: str, name: object, valid: Iterable[object]) -> None:
        self.kind = kind
        self.name = name
        self.valid = tuple(valid)
        super().__init__(f"unknown {kind} {name!r}; valid: {_names(self.valid) or '(none)'}")

    def __str__(self) -> str:  # LookupError would otherwise repr() the message
        return str(self.args[0])


class NotMeasuredError(NasBenchError, LookupError):
    """A fidelity (epoch), seed or architecture that the table does not hold."""

    def __str__(self) -> str:
        return str(self.args[0])


class StoreFormatError(NasBenchError, ValueError):
    """A file that is not a benchmark store, or is truncated or corrupted."""


class UnsupportedVersionError(StoreFormatError):
    """A store written by a newer format version than this release can read."""


class ChecksumMismatchError(StoreFormatError):
    """A store whose content does not match its recorded checksum."""


class ImportFormatError(NasBenchError, ValueError):
    """A source file of a public benchmark that does not have the expected format."""


class DecompressionLimitError(ImportFormatError):
    """A compressed file that expands past the allowed size or ratio (a possible decompression bomb)."""


class ImpossibleValueError(ImportFormatError):
    """A source value outside its metric's possible range (an accuracy of 150, an infinite loss, ...)."""


class ImpossibleStoredValueError(StoreFormatError):
    """A store holding a value outside its metric's possible range: the file is damaged or was edited."""


__all__ = [
    "ChecksumMismatchError",
    "DecompressionLimitError",
    "ImportFormatError",
    "ImpossibleStoredValueError",
    "ImpossibleValueError",
    "InvalidArchitectureError",
    "NasBenchError",
    "NotMeasuredError",
    "StoreFormatError",
    "UnknownNameError",
    "UnsupportedVersionError",
]
