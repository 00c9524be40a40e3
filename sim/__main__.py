"""``python -m sim`` runs the ``linesim`` command."""

from __future__ import annotations

import sys

try:
    from sim.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command is still loading: nothing to keep
    sys.stderr.write("interrupted\n")
    sys.exit(130)

sys.exit(main())
