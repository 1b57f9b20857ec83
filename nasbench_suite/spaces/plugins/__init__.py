"""One module per built-in search space, each defining ``BUNDLE`` (a :class:`~nasbench_suite.spaces.bundle.SpaceBundle`).

A module imports nothing heavy at import time: its bundle names the space's
plugins by ``"module:attribute"`` path, and its categorical description is
built on first use.
"""
