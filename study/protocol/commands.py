"""What every management command that names a study shares: finding it, or saying why not."""

from __future__ import annotations

from django.core.management.base import CommandError

from study.protocol.models import Study
from study.protocol.selectors import StudyNotFound, get_study


def study_named(name: str) -> Study:
    """The study called ``name``, or a CommandError listing the studies there are."""
    try:
        return get_study(name=name)
    except StudyNotFound as exc:
        raise CommandError(str(exc)) from None
