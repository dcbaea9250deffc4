"""The pairwise core imports neither Django nor another study app.

The ``study`` package itself loads the Celery app (and with it part of Django), so the
check is on what importing the pairwise modules adds to what ``import study`` loads,
and on the import statements of their source.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests import services

MODULES = ("stats", "active", "simulate")
ALLOWED = {"__future__", "collections", "dataclasses", "typing", "zlib", "numpy", "pandas", "scipy"}


def test_its_modules_import_only_numpy_scipy_pandas_and_the_standard_library():
    for name in MODULES:
        tree = ast.parse((Path(services.ROOT) / "study" / "pairwise" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.module.startswith("study.pairwise"):
                    continue
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert roots <= ALLOWED, (name, roots)


def test_importing_them_loads_no_django_module_or_other_study_app():
    code = (
        "import sys, study\n"
        "before = set(sys.modules)\n"
        + "".join(f"import study.pairwise.{name}\n" for name in MODULES)
        + "added = set(sys.modules) - before\n"
        "print(','.join(sorted(m for m in added if m.split('.')[0] == 'django'\n"
        "      or (m.startswith('study.') and not m.startswith('study.pairwise')))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=services.ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""
