"""Importers: one module per public benchmark format, into the store.

Each module defines a class implementing :class:`Importer`; register it in
:data:`IMPORTERS` and ``nasbench import <name>`` picks it up. Importers read
local paths only; they never download.
"""

from __future__ import annotations

from nasbench_suite.importers.base import Importer
from nasbench_suite.registry import Registry

#: format name -> Importer class
IMPORTERS: Registry[type[Importer]] = Registry("importers")
IMPORTERS.register("nb201-reference", "nasbench_suite.importers.nb201_reference:NB201ReferenceImporter")
IMPORTERS.register("nats-archive", "nasbench_suite.importers.nats_archive:NATSArchiveImporter")
IMPORTERS.register("naslib-zc", "nasbench_suite.importers.naslib_zc:NASLibZCImporter")
IMPORTERS.register("nb101-tfrecord", "nasbench_suite.importers.nb101_tfrecord:NB101TFRecordImporter")

__all__ = ["IMPORTERS", "Importer"]
