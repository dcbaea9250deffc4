"""The layering of docs/ARCHITECTURE.md holds in the code: no upward import, no import loop.

``srmodels < study.srgan2017 (and the shared helpers) < catalog < protocol < rating,
generation < analysis < pairwise < demo < the project``: a module may import its own app and the
apps of lower layers only, never a higher one nor a sibling of its own layer, not even
inside a function. Every import statement counts wherever it is, and so do
``importlib.import_module("...")`` with a literal name and the model references that
Django resolves from strings (``ForeignKey("app.Model")``, ``apps.get_model``). No two
modules may import each other, directly or through others, even inside one app.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps

import srmodels
import study

STUDY = Path(study.__file__).parent
SRMODELS = Path(srmodels.__file__).parent

# Each part of the code: its layer and the packages or modules it is made of. A part
# imports itself and the parts of lower layers only: never a higher layer, nor another
# part of its own layer (rating and generation are siblings).
PARTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "srmodels": (0, ("srmodels",)),
    # Import no app, so every app may use them. "study" alone is the package's
    # __init__ (its version and the Celery app).
    "shared": (1, ("study", "study.srgan2017", "study.bulk", "study.env", "study.celery")),
    "catalog": (2, ("study.catalog",)),
    "protocol": (3, ("study.protocol",)),
    "rating": (4, ("study.rating",)),
    "generation": (4, ("study.generation",)),
    "analysis": (5, ("study.analysis",)),
    # Two-image studies: their own plans, pages, statistics and exports, over the
    # protocol's raters, the rating app's rater steps and the analysis' export helpers.
    "pairwise": (6, ("study.pairwise",)),
    "demo": (7, ("study.demo",)),
    # The project wires every app: settings, URLs, the site's own views.
    "project": (
        8,
        (
            "study.settings",
            "study.settings_test",
            "study.urls",
            "study.views",
            "study.health",
            "study.security",
            "study.wsgi",
        ),
    ),
}
UNITS = {unit: part for part, (_, units) in PARTS.items() for unit in units}
FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    path: Path
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str | None:
    """The part of the code ``module`` belongs to (None: not ours, e.g. django)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in UNITS and (prefix != "study" or module == "study"):
            return UNITS[prefix]
    return None


def _app_module(label: str) -> str | None:
    try:
        return apps.get_app_config(label).name
    except LookupError:
        return None


def _model_reference(node: ast.Call) -> str | None:
    """The module of an app named by a string: ``ForeignKey("label.Model")``, ``get_model``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if name in FIELDS and texts and texts[0].count(".") == 1:
        return _app_module(texts[0].split(".")[0])
    if name == "get_model" and texts:
        return _app_module(texts[0].split(".")[0])
    return None


def imports_of(path: Path, root: Path, modules: set[str]) -> list[Import]:
    """Every import of ``path`` (module level or not) that names a module of ours."""
    source = module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((candidate if candidate in modules else base, node.lineno))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args else None
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
                found.append((str(first.value), node.lineno))
            target = _model_reference(node)
            if target:
                found.append((target, node.lineno))
    return [
        Import(source, target, path, line)
        for target, line in sorted(found, key=lambda item: item[1])
        if part_of(target) is not None
    ]


def all_imports(roots: tuple[Path, ...] = (SRMODELS, STUDY)) -> list[Import]:
    files = [(path, root) for root in roots for path in sorted(root.rglob("*.py"))]
    modules = {module_name(path, root) for path, root in files}
    return [item for path, root in files for item in imports_of(path, root, modules)]


def upward_imports(imports: list[Import]) -> list[str]:
    problems = []
    for item in imports:
        source, target = part_of(item.source), part_of(item.target)
        assert source is not None
        assert target is not None
        low, high = PARTS[target][0], PARTS[source][0]
        if source == target or low < high:
            continue
        kind = "a sibling" if low == high else "a higher layer"
        problems.append(
            f"{item.path}:{item.line}: {item.source} ({source}, layer {high}) imports "
            f"{item.target} ({target}, layer {low}): {kind}"
        )
    return problems


def import_cycles(imports: list[Import]) -> list[str]:
    """Every group of modules that import each other (Tarjan's strongly connected sets)."""
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Import] = {}
    for item in imports:
        if item.source != item.target:
            graph.setdefault(item.source, set()).add(item.target)
            where.setdefault((item.source, item.target), item)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    problems = []
    for group in cycles:
        members = set(group)
        edges = [
            f"{where[(a, b)].path}:{where[(a, b)].line} ({a} -> {b})"
            for a in group
            for b in sorted(graph.get(a, ()) & members)
        ]
        problems.append("import loop between " + ", ".join(group) + ": " + "; ".join(edges))
    return problems


def unplaced_modules(root: Path = STUDY) -> list[str]:
    """Packages and modules under study/ that no part of the layering names."""
    modules = {module_name(path, root) for path in root.rglob("*.py")}
    return [
        f"{module}: add it to a part of PARTS (and to docs/ARCHITECTURE.md's layering)"
        for module in sorted(modules)
        if part_of(module) is None
    ]


def test_it_places_every_app_and_module_in_a_layer():
    problems = unplaced_modules()
    assert problems == [], "\n".join(problems)


def test_it_finds_no_import_of_a_higher_layer_or_a_sibling():
    problems = upward_imports(all_imports())
    assert problems == [], "\n".join(problems)


def test_it_finds_no_import_loop():
    problems = import_cycles(all_imports())
    assert problems == [], "\n".join(problems)


def test_it_sees_imports_inside_functions_and_by_name(tmp_path):
    # The checker itself: a function-level import, a relative one, an import by name
    # and a model named by string are all seen, and a loop is reported with its lines.
    package = tmp_path / "study"
    (package / "catalog").mkdir(parents=True)
    (package / "rating").mkdir()
    for folder in (package, package / "catalog", package / "rating"):
        (folder / "__init__.py").write_text("")
    (package / "catalog" / "services.py").write_text(
        "def f():\n"
        "    from study.rating.models import Rating\n"
        "import importlib\n"
        "importlib.import_module('study.rating.views')\n"
        "from . import models\n"
    )
    (package / "catalog" / "models.py").write_text(
        "from django.db import models\n"
        "class A(models.Model):\n"
        "    r = models.ForeignKey('rating.Rating', on_delete=models.CASCADE)\n"
        "from study.catalog import services\n"
    )
    (package / "rating" / "models.py").write_text("")
    (package / "rating" / "views.py").write_text("")

    imports = all_imports((package,))
    problems = upward_imports(imports)
    assert [p.split(": ", 1)[0].rsplit("/", 1)[1] for p in problems] == [
        "models.py:3",
        "services.py:2",
        "services.py:4",
    ]
    assert (
        "study.catalog.services (catalog, layer 2) imports study.rating.models (rating, layer 4)"
        ": a higher layer"
    ) in problems[1]
    (loop,) = import_cycles(imports)
    assert loop.startswith("import loop between study.catalog.models, study.catalog.services")
    assert "models.py:4" in loop
    assert "services.py:5" in loop
