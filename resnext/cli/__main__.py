"""``python -m resnext.cli``: the ``resnext`` command."""

import sys

from . import main

sys.exit(main())
