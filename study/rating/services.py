"""The rater's writes: consent, start, calibration acknowledgements and ratings.

Every write locks the rater's row first. The rater's ``position`` is the only
pointer into the plan, so under that lock a submission is either for the current
item (stored, position advanced), a repeat of the item just stored (nothing
stored, the same answer returned: double clicks and retries after a lost
response), or rejected with nothing written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from study.protocol.models import PlanItem, Rater, Study
from study.rating.models import Rating
from study.rating.selectors import token_matches

EXTERNAL_ID_PARAMETERS = (("PROLIFIC_PID", "prolific"), ("workerId", "mturk"), ("pid", "pid"))
MAX_RESPONSE_MS = 24 * 3600 * 1000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely


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
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or not raw.isdigit():
        raise SubmissionRejected(
            400, "invalid_response_ms", f"response_ms must be a whole number, got {raw!r}"
        )
    return min(int(raw), MAX_RESPONSE_MS)


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
        # Found and locked in one query: this is the hot path of every rating.
        locked = (
            Rater.objects.select_for_update().select_related("study").filter(token=token).first()
        )
        if locked is None:
            raise SubmissionRejected(404, "unknown_rater", "unknown invitation link")
        if not isinstance(item, str) or not item:
            raise SubmissionRejected(400, "missing_item", "the item is missing")
        # A repeat of the item just stored: same answer, nothing written. Checked
        # before the open/finished guards so the last item's retry still succeeds.
        if locked.position > 0 and token_matches(
            rater=locked, position=locked.position - 1, token=item
        ):
            return SubmissionResult(stored=False, rater=locked)
        _require_open(locked)
        if locked.finished_at is not None:
            raise SubmissionRejected(409, "finished", "this rater has finished the study")
        if locked.consented_at is None or locked.started_at is None:
            raise SubmissionRejected(409, "not_started", "the study has not been started")
        now = timezone.now()
        if locked.break_until is not None and locked.break_until > now:
            raise SubmissionRejected(
                409, "on_break", f"on a break until {locked.break_until.isoformat()}"
            )
        if not token_matches(rater=locked, position=locked.position, token=item):
            raise SubmissionRejected(409, "not_current", "this is not the current item")
        # The current item and whether one follows it, in one query.
        plan_items = list(
            PlanItem.objects.filter(rater=locked, position__gte=locked.position)
            .order_by("position")
            .only("pk", "position", "phase")[:2]
        )
        plan_item = plan_items[0]
        if plan_item.phase == PlanItem.Phase.RATING:
            value = parse_score(score)
            elapsed = parse_response_ms(response_ms)
            try:
                Rating.objects.create(
                    plan_item=plan_item, score=value, response_ms=elapsed, submitted_at=now
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
        rater.completion_code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        fields += ["finished_at", "completion_code"]
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
