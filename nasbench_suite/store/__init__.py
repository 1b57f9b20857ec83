"""The HDF5 benchmark store: format (docs/SCHEMA.md), atomic writer and reader."""

from nasbench_suite.store.format import FORMAT_NAME, FORMAT_VERSION, content_checksum
from nasbench_suite.store.model import AGGREGATED_SEED, BenchmarkData, DatasetTable
from nasbench_suite.store.reader import TableBenchmark
from nasbench_suite.store.writer import write_store

__all__ = [
    "AGGREGATED_SEED",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "BenchmarkData",
    "DatasetTable",
    "TableBenchmark",
    "content_checksum",
    "write_store",
]
