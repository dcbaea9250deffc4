"""``close_study STUDY``: stop accepting ratings (open -> closed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.protocol.commands import study_named
from study.protocol.services import ProtocolError, close_study


class Command(BaseCommand):
    help = "Close an open study: no further ratings are accepted (open_study reopens it)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")

    def handle(self, *args, **options) -> None:
        try:
            study = close_study(study=study_named(options["study"]))
        except ProtocolError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"study {study.name!r} is closed")
