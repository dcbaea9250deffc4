"""The analysis owns no table: it reads the other apps' rows and writes none.

``RaterBatch`` (the provenance of simulated and imported raters) moved to
:mod:`study.protocol.models` with the raters it describes; migration
``analysis.0002`` hands its table over. The name stays importable from here for
the modules that have not switched yet.
"""

from __future__ import annotations

from study.protocol.models import RaterBatch

__all__ = ["RaterBatch"]
