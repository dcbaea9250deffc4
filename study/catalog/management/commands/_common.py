"""What the import commands share (import_dataset here, import_outputs in protocol's
commands): a tqdm bar on stderr and the report printout."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from study.catalog.services import ImportReport


def progress_bar(description: str):
    """A factory for the services' ``progress`` argument: a tqdm bar on stderr."""

    def make(total: int) -> tqdm:
        return tqdm(total=total, desc=description, unit="image", file=sys.stderr, leave=False)

    return make


def finish(command: BaseCommand, report: ImportReport) -> None:
    """Print the failures and the summary; fail when nothing was done or an image failed."""
    if report.missing:
        command.stderr.write(
            f"missing ({len(report.missing)}): no file for " + ", ".join(report.missing)
        )
    if report.extra:
        command.stderr.write(
            f"extra ({len(report.extra)}): not an image of {report.dataset}: "
            + ", ".join(report.extra)
        )
    for name, message in report.failed:
        command.stderr.write(f"failed: {name}: {message}")
    command.stdout.write(report.summary())
    if report.nothing_done:
        raise CommandError(f"nothing imported: {report.summary()}")
    if report.failed:
        raise CommandError(
            f"{len(report.failed)} image(s) failed (listed above); the others were imported"
        )
