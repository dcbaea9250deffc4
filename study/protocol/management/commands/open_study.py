"""``open_study STUDY``: start accepting ratings (draft -> open, or reopen a closed study)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from study.protocol.commands import study_named
from study.protocol.services import ProtocolError, open_study


class Command(BaseCommand):
    help = "Open a draft study for ratings, or reopen a closed one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("study", help="study name")

    def handle(self, *args, **options) -> None:
        try:
            study = open_study(study=study_named(options["study"]))
        except ProtocolError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"study {study.name!r} is open")
