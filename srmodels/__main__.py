from __future__ import annotations

import sys

from srmodels.cli import main

sys.exit(main())
