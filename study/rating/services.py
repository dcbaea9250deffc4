"""The writers of ratings: a rater's own submissions, and ratings recorded whole.

A rater's writes (consent, start, calibration acknowledgements, ratings) lock the
rater's row first. The rater's ``position`` is the only pointer into the plan, so
under that lock a submission is either for the current item (stored, position
advanced), a repeat of the item just stored (nothing stored, the same answer
returned: double clicks and retries after a lost response), or rejected with
nothing written.

``record_ratings`` stores the ratings of raters who did not rate on this site
(imported from a file, or simulated) whole plans at a time, under the same rules,
and leaves each rater where ``submit`` leaves one who rated their last item. These
two are the only writers of ``Rating`` and of ``Rater.position``.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from study.bulk import bulk_insert
from study.protocol import quality
from study.protocol.config import FINISH_RULES
from study.protocol.models import PlanItem, Rater, Stimulus, Study
from study.rating.models import Rating
from study.rating.selectors import token_matches

EXTERNAL_ID_PARAMETERS = (("PROLIFIC_PID", "prolific"), ("workerId", "mturk"), ("pid", "pid"))
MAX_RESPONSE_MS = 24 * 3600 * 1000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely


class RecordRefused(ValueError):
    """Ratings ``record_ratings`` will not store (bad score, wrong rater or item); none stored."""


class SubmissionRejected(Exception):
    """A submission the server refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SubmissionResult:
    stored: bool  # False for an idempotent repeat
    rater: Rater


def parse_score(raw: object) -> int:
    """Only the integers 1..5 written as plain digits; '3.5', 'five', '05 ' are refused."""
    if not isinstance(raw, str) or raw not in {"1", "2", "3", "4", "5"}:
        raise SubmissionRejected(400, "invalid_score", f"score must be an integer 1-5, got {raw!r}")
    return int(raw)


def parse_response_ms(raw: object) -> int | None:
    """ASCII digits only, capped at a day: ``str.isdigit`` alone would take "٣٣" as 33.

    Digits beyond the cap are not converted (Python refuses ints of over 4,300 digits).
    """
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit()):
        raise SubmissionRejected(
            400, "invalid_response_ms", f"response_ms must be a whole number, got {raw!r}"
        )
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(MAX_RESPONSE_MS)):
        return MAX_RESPONSE_MS
    return min(int(digits), MAX_RESPONSE_MS)


def server_elapsed_ms(served_at: datetime | None, now: datetime) -> int | None:
    """Milliseconds from serving an item to its answer, by the server's clock (None: unknown)."""
    if served_at is None:
        return None
    elapsed = round((now - served_at).total_seconds() * 1000)
    return min(max(0, elapsed), MAX_RESPONSE_MS)


def note_served(*, rater: Rater, position: int, now: datetime | None = None) -> None:
    """The item at ``position`` is being shown to the rater: keep the first time it was.

    Called by the pages (and JSON answers) that show an item; a reload, a retry or a
    second tab keeps the first time, so the server's response time is never shortened.
    """
    PlanItem.objects.filter(rater=rater, position=position, served_at__isnull=True).update(
        served_at=now or timezone.now()
    )


def new_completion_code() -> str:
    """Ten characters of an unambiguous alphabet: about 50 bits, never guessed."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def external_id_from(params: dict[str, str]) -> tuple[str, str] | None:
    for name, source in EXTERNAL_ID_PARAMETERS:
        value = (params.get(name) or "").strip()
        if value:
            return value[:200], source
    return None


def remember_external_id(*, rater: Rater, params: dict[str, str]) -> None:
    """Keep the crowdsourcing id of the link the rater arrived with (first one wins)."""
    found = external_id_from(params)
    if found is None or rater.external_id:
        return
    Rater.objects.filter(pk=rater.pk, external_id="").update(
        external_id=found[0], external_source=found[1]
    )
    rater.refresh_from_db(fields=["external_id", "external_source"])


def _locked(rater_pk: int) -> Rater:
    return Rater.objects.select_for_update().select_related("study").get(pk=rater_pk)


def _require_open(rater: Rater) -> None:
    if rater.study.state != Study.State.OPEN:
        raise SubmissionRejected(409, "study_closed", "this study is not open for ratings")


def give_consent(*, rater: Rater) -> Rater:
    with transaction.atomic():
        locked = _locked(rater.pk)
        _require_open(locked)
        if locked.consented_at is None:
            locked.consented_at = timezone.now()
            locked.save(update_fields=["consented_at"])
    return locked


def start_rating(*, rater: Rater) -> Rater:
    """The rater has read the instructions and passed the viewing check."""
    with transaction.atomic():
        locked = _locked(rater.pk)
        _require_open(locked)
        if locked.consented_at is None:
            raise SubmissionRejected(409, "no_consent", "consent comes first")
        if locked.started_at is None:
            locked.started_at = timezone.now()
            locked.sitting_start = locked.position
            locked.save(update_fields=["started_at", "sitting_start"])
    return locked


def lock_for_answer(*, token: str, item: str, noun: str = "item") -> tuple[Rater, bool, datetime]:
    """The rater of ``token`` locked, whether ``item`` repeats the answer just stored, now.

    Every kind's answer service calls this inside its transaction, so the rules are one:
    a repeat of the item just answered (double click, retry after a lost response) is
    recognised first, so the last item's retry still succeeds; otherwise the study must
    be open, the rater started, not finished, not on a break, and ``item`` the current
    one. Raises ``SubmissionRejected`` naming what is wrong; nothing is written.
    """
    # Found and locked in one query: this is the hot path of every answer.
    locked = Rater.objects.select_for_update().select_related("study").filter(token=token).first()
    if locked is None:
        raise SubmissionRejected(404, "unknown_rater", "unknown invitation link")
    if not isinstance(item, str) or not item:
        raise SubmissionRejected(400, "missing_item", "the item is missing")
    now = timezone.now()
    if locked.position > 0 and token_matches(
        rater=locked, position=locked.position - 1, token=item
    ):
        return locked, True, now
    _require_open(locked)
    if locked.finished_at is not None:
        raise SubmissionRejected(409, "finished", "this rater has finished the study")
    if locked.consented_at is None or locked.started_at is None:
        raise SubmissionRejected(409, "not_started", "the study has not been started")
    if locked.break_until is not None and locked.break_until > now:
        raise SubmissionRejected(
            409, "on_break", f"on a break until {locked.break_until.isoformat()}"
        )
    if not token_matches(rater=locked, position=locked.position, token=item):
        raise SubmissionRejected(409, "not_current", f"this is not the current {noun}")
    return locked, False, now


def submit(
    *,
    token: str,
    item: str,
    score: str | None = None,
    response_ms: str | None = None,
) -> SubmissionResult:
    """Store the rating of (or acknowledge) the rater's current plan item.

    ``score`` is required for rating items and ignored for calibration items,
    which the rater only acknowledges. Raises ``SubmissionRejected``.
    """
    with transaction.atomic():
        locked, repeat, now = lock_for_answer(token=token, item=item)
        if repeat:
            return SubmissionResult(stored=False, rater=locked)
        # The current item and whether one follows it, in one query.
        plan_items = list(
            PlanItem.objects.filter(rater=locked, position__gte=locked.position)
            .order_by("position")
            .only("pk", "position", "phase", "served_at")[:2]
        )
        plan_item = plan_items[0]
        if plan_item.phase == PlanItem.Phase.RATING:
            value = parse_score(score)
            elapsed = parse_response_ms(response_ms)
            try:
                Rating.objects.create(
                    plan_item=plan_item,
                    score=value,
                    response_ms=elapsed,
                    server_ms=server_elapsed_ms(plan_item.served_at, now),
                    submitted_at=now,
                )
            except IntegrityError:
                # Unreachable under the row lock (the unique plan_item is the backstop):
                # the transaction rolls back and nothing is stored twice.
                raise SubmissionRejected(409, "duplicate", "this item is already rated") from None
        _advance(locked, plan_item=plan_item, last=len(plan_items) == 1, now=now)
    return SubmissionResult(stored=True, rater=locked)


def _advance(rater: Rater, *, plan_item: PlanItem, last: bool, now) -> None:
    rater.position = plan_item.position + 1
    rater.last_seen_at = now
    fields = ["position", "last_seen_at"]
    if last:
        rater.finished_at = now
        reasons, screen_out_code = finish_verdict(rater=rater)
        rater.completion_code = screen_out_code if reasons else new_completion_code()
        rater.rejected = bool(reasons)
        rater.rejection_reasons = ";".join(reasons)
        fields += ["finished_at", "completion_code", "rejected", "rejection_reasons"]
    elif plan_item.phase == PlanItem.Phase.CALIBRATION:
        # The sitting limit counts rated items only: calibration does not use it up.
        rater.sitting_start = rater.position
        fields.append("sitting_start")
    else:
        limit = rater.study.items_per_sitting
        if limit and rater.position - rater.sitting_start >= limit:
            rater.break_until = now + timedelta(minutes=rater.study.break_minutes)
            rater.sitting_start = rater.position
            fields += ["break_until", "sitting_start"]
    rater.save(update_fields=fields)


def finish_verdict(*, rater: Rater) -> tuple[list[str], str]:
    """The ``[quality] reject_if`` rules a finishing rater broke, and the screen-out code.

    Decided on the rater's own answers to the gold and attention items, which are all
    stored once the last item is: the rules that need the whole panel (bt500,
    low_correlation, ...) are applied by the exports only. ``([], "")`` when the study
    has no such rule or the rater passed every check.
    """
    rules = quality.quality_of(rater.study.config)
    if rules is None or not set(rules.reject_if) & set(FINISH_RULES):
        return [], ""
    answers = Rating.objects.filter(
        plan_item__rater=rater,
        plan_item__stimulus__role__in=[Stimulus.Role.GOLD, Stimulus.Role.ATTENTION],
    ).values_list(
        "plan_item__stimulus__role",
        "score",
        "plan_item__stimulus__expected_low",
        "plan_item__stimulus__expected_high",
    )
    return quality.rejection(rules, quality.failed_checks(answers)), rules.screen_out_code


# --- ratings recorded whole: imported files, simulated panels ----------------------

# (plan item id, score 1..5, response time in ms or None, when it was given)
RecordedRating = tuple[int, int, int | None, datetime]


def record_ratings(
    *,
    study: Study,
    ratings: Sequence[RecordedRating],
    sessions: Mapping[int, tuple[datetime, datetime]],
) -> int:
    """Store whole plans of ratings made elsewhere or simulated, all or nothing.

    ``sessions`` maps the id of each rater of ``study`` concerned to when they began
    and when they finished. The submission service's rules hold for whole plans: the
    raters have not rated yet; every score is an integer 1..5; every rating is for a
    rating item (never calibration) of one of these raters' plans, once; and each
    rater rates every rating item of their plan. Each rater is then where ``submit``
    leaves a rater after their last item: position after it (``sitting_start`` too),
    consented and started at the first time, finished and last seen at the second.
    No completion code: nobody is paid for them. Raises ``RecordRefused``, storing
    nothing; returns the number of ratings stored. 1.1 million ratings (a simulated
    panel of 1,000) go in as one bulk insert.
    """
    bad = [score for _, score, _, _ in ratings if type(score) is not int or not 1 <= score <= 5]
    if bad:
        raise RecordRefused(f"score must be an integer 1-5, got {bad[0]!r}")
    item_ids = [row[0] for row in ratings]
    if len(set(item_ids)) != len(item_ids):
        # Checked here, not left to the unique index: a bulk COPY on PostgreSQL reports
        # the violation as the driver's own error, not Django's IntegrityError.
        raise RecordRefused("a plan item can be rated once")
    rater_ids = list(sessions)
    fresh = Rater.objects.filter(
        pk__in=rater_ids, study=study, position=0, finished_at__isnull=True
    ).count()
    if fresh != len(rater_ids):
        raise RecordRefused(
            f"record_ratings takes raters of study {study.name!r} who have not rated yet"
        )
    try:
        with transaction.atomic():
            bulk_insert(Rating, ("plan_item", "score", "response_ms", "submitted_at"), ratings)
            _finish(_checked_plans(rater_ids, len(ratings)), sessions)
    except IntegrityError:
        raise RecordRefused("a plan item can be rated once") from None
    return len(ratings)


def _checked_plans(rater_ids: list[int], expected: int) -> dict[int, int]:
    """Each rater's position after their last plan item, once their ratings are checked.

    One query over the raters' plans: the ratings just stored must all be theirs, on
    rating items, and cover every rating item.
    """
    rows = (
        PlanItem.objects.filter(rater_id__in=rater_ids)
        .values("rater_id")
        .annotate(
            end=Max("position") + 1,
            items=Count("id", filter=Q(phase=PlanItem.Phase.RATING)),
            rated=Count("rating"),
            rated_items=Count("rating", filter=Q(phase=PlanItem.Phase.RATING)),
        )
        .order_by()
    )
    ends: dict[int, int] = {}
    stored = 0
    for row in rows:
        if row["rated"] != row["rated_items"]:
            raise RecordRefused("calibration items are acknowledged, never rated")
        if row["rated"] != row["items"]:
            raise RecordRefused(
                f"rater id {row['rater_id']}: {row['rated']} of {row['items']} rating items "
                "rated; a recorded rater rates the whole plan"
            )
        ends[row["rater_id"]] = row["end"]
        stored += row["rated"]
    if stored != expected or len(ends) != len(rater_ids):
        raise RecordRefused("every rating must be for a plan item of the raters recorded")
    return ends


def _finish(ends: Mapping[int, int], sessions: Mapping[int, tuple[datetime, datetime]]) -> None:
    """Move each rater to the end of their plan: few UPDATEs, one per end and session."""
    groups: dict[tuple[int, datetime, datetime], list[int]] = defaultdict(list)
    for rater_id, end in ends.items():
        groups[(end, *sessions[rater_id])].append(rater_id)
    for (end, began, finished), ids in groups.items():
        Rater.objects.filter(pk__in=ids).update(
            consented_at=began,
            started_at=began,
            finished_at=finished,
            last_seen_at=finished,
            position=end,
            sitting_start=end,
        )
