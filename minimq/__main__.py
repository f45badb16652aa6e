"""``python -m minimq``: the same as the ``minimq`` command."""

import sys

from minimq.cli import main

sys.exit(main())
