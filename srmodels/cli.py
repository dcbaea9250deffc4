"""``python -m srmodels <command>``: each command lives in ``srmodels/commands/<name>.py``
and exposes ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.

Command modules import their heavy dependencies (torch, the models) inside
``run``, so building the parser stays fast and ``--help`` never loads PyTorch.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ["downscale", "upscale", "evaluate", "methods", "train"]


class CommandError(Exception):
    """A user-facing failure: printed as one clear line, exit status 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m srmodels",
        description="Super-resolution models, MATLAB-exact resizing and metrics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"srmodels.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._module.run(args) or 0)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
