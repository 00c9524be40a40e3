"""``python -m sim`` runs the ``linesim`` command."""

from __future__ import annotations

import sys

from sim.cli import main

sys.exit(main())
