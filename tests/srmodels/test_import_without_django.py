from __future__ import annotations

import subprocess
import sys

from tests.services import ROOT


def test_it_imports_srmodels_without_loading_django():
    code = (
        "import sys, srmodels, srmodels.cli; "
        "srmodels.cli.build_parser(); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "'django was imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
