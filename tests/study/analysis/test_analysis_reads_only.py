"""The analysis reads and computes; every row it makes is written by the app that owns it.

An AST scan of every module under ``study/analysis`` (its commands and migrations
included) for the ORM's writes: ``save``, ``delete``, ``create``, ``bulk_create``,
``bulk_update``, ``get_or_create``, ``update_or_create``, a queryset's ``update``,
the shared bulk writers (``bulk_insert``, ``create_rows``) and raw ``INSERT`` /
``UPDATE`` / ``DELETE`` SQL. Grouping the owners' services in one
``transaction.atomic`` is allowed: a transaction boundary writes nothing itself, and
importing ratings or simulating raters must stay all or nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import study.analysis

ANALYSIS = Path(study.analysis.__file__).parent

# Names that only ever write: any call of them is a write.
WRITERS = {
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "bulk_insert",
    "create_rows",
}
# Model.save(), Model.delete(), QuerySet.delete(), Manager.create(**fields): no other
# object the analysis uses has a save() or delete() without arguments, or a create().
NO_ARGUMENTS = {"save", "delete"}
SQL_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY|TRUNCATE)\b", re.IGNORECASE)
QUERYSET_CALLS = {"filter", "exclude", "all", "select_for_update", "select_related", "order_by"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _dict_names(tree: ast.AST) -> set[str]:
    """Names bound to a dict somewhere in the module: their ``update`` is not the ORM's."""
    names = set()
    for node in ast.walk(tree):
        value = getattr(node, "value", None)
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        is_dict = isinstance(value, ast.Dict | ast.DictComp) or (
            isinstance(value, ast.Call) and _name(value.func) in {"dict", "defaultdict"}
        )
        if is_dict:
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def _is_queryset(node: ast.expr) -> bool:
    """An expression that is a queryset or manager: ``X.objects...``, ``....filter(...)``."""
    for part in ast.walk(node):
        if isinstance(part, ast.Attribute) and part.attr == "objects":
            return True
        if isinstance(part, ast.Call) and _name(part.func) in QUERYSET_CALLS:
            return True
    return False


def writes_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    dicts = _dict_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        first = node.args[0] if node.args else None
        write = (
            name in WRITERS
            or (name in NO_ARGUMENTS and receiver is not None and not node.args)
            or (name == "create" and receiver is not None and not node.args)
            or (
                name == "update"
                and receiver is not None
                and not node.args
                and (
                    _is_queryset(receiver)
                    or not (isinstance(receiver, ast.Name) and receiver.id in dicts)
                )
            )
            or (
                name in ("execute", "executemany")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and SQL_WRITE.match(first.value) is not None
            )
        )
        if write:
            found.append((node.lineno, f"{path}:{node.lineno}: {ast.unparse(node.func)}(...)"))
    return [text for _, text in sorted(found)]


def test_it_finds_no_orm_write_under_study_analysis():
    writes = [write for path in sorted(ANALYSIS.rglob("*.py")) for write in writes_in(path)]
    assert writes == [], "the analysis only reads; let the owning app write:\n" + "\n".join(writes)


def test_it_recognises_each_kind_of_write(tmp_path):
    # The scan itself: each write below is found on its line; the reads and the dict
    # updates are not.
    module = tmp_path / "writer.py"
    module.write_text(
        "summary = {}\n"
        "summary.update(mos=1)\n"  # a dict: not a write
        "Rater.objects.filter(pk=1).update(position=3)\n"  # 3
        "rater.save()\n"  # 4
        "Rating.objects.create(score=1)\n"  # 5
        "Stimulus.objects.bulk_create(rows)\n"  # 6
        "study.raters.all().delete()\n"  # 7
        "bulk_insert(Rating, fields, rows)\n"  # 8
        "cursor.execute('UPDATE rating_rating SET score = 1')\n"  # 9
        "cursor.execute(sql, params)\n"  # a query built elsewhere: fetch_rows' read
        "image.save(buffer, format='PNG')\n"  # PIL: not the ORM
        "Method.objects.get_or_create(key='x')\n"  # 12
        "Rating.objects.filter(score=1).exists()\n"
        "pending.update(status='done')\n"  # 14: a name not known to be a dict
    )
    lines = [int(write.split(":")[1]) for write in writes_in(module)]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 12, 14]
