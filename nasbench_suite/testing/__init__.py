"""Conformance checks that plugins must pass, shipped so third-party plugins can run them too.

One module per plugin kind, e.g. :mod:`nasbench_suite.testing.strategies` for search strategies.
"""
