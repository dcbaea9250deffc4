"""Study kinds: what an ACR study and a two-image study do differently, behind one registry.

The protocol owns what every kind shares (Study, Stimulus, Rater, the lifecycle, the
links); ``config.KINDS`` names the kinds. What differs is registered here by the app
that implements it, so no module branches on the kind: the protocol registers "acr"
(its PlanItem plans, the rating app's pages under ``/r/``), and ``study.pairwise``
registers "pairwise" and "2afc-real" when Django loads it (its trials, its pages under
``/c/``). A lower layer calls what a higher one registered, and never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from study.protocol.models import Rater, Stimulus, Study


class UnknownKind(LookupError):
    pass


@dataclass(frozen=True)
class StudyKind:
    name: str
    # First path segment of a rater's link: SITE_URL/<prefix>/<token>/.
    rater_prefix: str
    # Write the plans (the ordered items) of new raters of the study.
    write_plans: Callable[[Study, Iterable[Rater]], None]
    # Delete every plan of the study (only while nobody has answered).
    delete_plans: Callable[[Study], None]
    # Whether any rater of the study has answered (then its design is frozen).
    has_responses: Callable[[Study], bool]
    # Whether any study of this kind has an answer about the output (never replace it).
    output_has_responses: Callable[[int], bool]
    # Answers stored per study id (ratings, choices), for overviews; one query.
    answers_by_study: Callable[[], dict[int, int]]
    # What a rater's plan shows at the given positions: (position, side, stimulus) with
    # the stimulus' output loaded; side "" for one image, "left"/"right" for two. The
    # rating app serves the images of these presentations (one URL each).
    presentations: Callable[[Rater, Sequence[int]], list[tuple[int, str, Stimulus]]]


_KINDS: dict[str, StudyKind] = {}


def register(kind: StudyKind) -> None:
    _KINDS[kind.name] = kind


def get(name: str) -> StudyKind:
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise UnknownKind(f"study kind {name!r} is not installed (installed: {known})") from None


def of(study: Study) -> StudyKind:
    """The kind of a study, as its stored definition says (no ``kind``: ACR)."""
    return get(study.config.get("kind", "acr"))


def registered() -> list[StudyKind]:
    return list(_KINDS.values())


def answers_by_study() -> dict[int, int]:
    """Answers of every study, whatever its kind (kinds sharing tables count them once)."""
    counters = {kind.answers_by_study for kind in _KINDS.values()}
    total: dict[int, int] = {}
    for counter in counters:
        for study_id, count in counter().items():
            total[study_id] = total.get(study_id, 0) + count
    return total
