"""Functions read in one screen: none in ``study/`` or ``srmodels/`` is longer than 80 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 80


def long_functions(root: Path, *, limit: int = LIMIT) -> list[str]:
    """``file:line name (N lines)`` of every function over ``limit`` lines under ``root``,
    counted from ``def`` to its last line (decorators and the docstring included)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length})")
    return found


def test_it_finds_no_function_over_80_lines() -> None:
    found = long_functions(ROOT / "study") + long_functions(ROOT / "srmodels")
    assert found == [], "functions over 80 lines:\n" + "\n".join(found)


def test_it_counts_from_def_to_the_last_line(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(79))
    (tmp_path / "m.py").write_text(f"def fits():\n{body}\n\n\ndef tiny():\n    return 1\n")
    assert long_functions(tmp_path) == []
    assert long_functions(tmp_path, limit=79) == ["m.py:1 fits (80)"]
