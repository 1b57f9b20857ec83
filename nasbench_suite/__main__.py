"""``python -m nasbench_suite`` runs the ``nasbench`` command."""

import sys

from nasbench_suite.cli import main

sys.exit(main())
