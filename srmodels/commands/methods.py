"""``python -m srmodels methods``: the method registry and whether weights are present."""

from __future__ import annotations

import argparse
import json

HELP = "list the methods (keys, labels, architectures) and whether their weights are present"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--keys", action="store_true", help="print only the keys, one per line (for scripts)"
    )
    parser.add_argument(
        "--available", action="store_true", help="only methods that can run (weights present)"
    )
    parser.add_argument(
        "--kind", choices=["interpolation", "model"], help="only methods of this kind"
    )


def run(args: argparse.Namespace) -> int:
    from srmodels.registry import WEIGHTS_DIR_ENV, list_methods, weights_dirs

    statuses = [
        status
        for status in list_methods()
        if (not args.available or status.available)
        and (args.kind is None or status.spec.kind == args.kind)
    ]
    if args.keys:
        for status in statuses:
            print(status.spec.key)
        return 0
    if args.json:
        rows = [
            {
                "key": status.spec.key,
                "label": status.spec.label,
                "kind": status.spec.kind,
                "arch": status.spec.arch,
                "apply": status.spec.apply,
                "available": status.available,
                "weights": None if status.weights_path is None else str(status.weights_path),
            }
            for status in statuses
        ]
        print(json.dumps(rows, indent=2))
        return 0
    table = [("KEY", "LABEL", "KIND", "ARCH", "WEIGHTS")]
    for status in statuses:
        spec = status.spec
        if not spec.needs_weights:
            weights = "not needed"
        elif status.weights_path is None:
            weights = "MISSING"
        else:
            weights = str(status.weights_path)
        table.append((spec.key, spec.label, spec.kind, spec.arch or "-", weights))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
        print("  ".join([*cells, row[4]]))
    missing = [s.spec.key for s in statuses if not s.available]
    if missing:
        print(
            f"\nweights searched in: {', '.join(map(str, weights_dirs()))} "
            f"(set {WEIGHTS_DIR_ENV} to add folders). Missing weights: train them with "
            "`python -m srmodels train --recipe KEY ... --export`."
        )
    return 0
