"""`python -m foimail.cli`: the same as the `foimail` command."""

import sys

from foimail.cli import main

sys.exit(main())
