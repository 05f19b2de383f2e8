"""``python -m generator`` runs the ``handbook`` command."""

import sys

from .cli import main

sys.exit(main())
