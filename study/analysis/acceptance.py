"""Who is accepted (and paid): the study's ``[quality] reject_if`` applied to every rater.

Pure, like the pipeline that calls it: the study's facts and the panel's screening in,
tables out. A rater is rejected for each rule of ``reject_if`` they broke: ``gold`` and
``attention`` from their own answers to the hidden check items (the rule the done page
applied when they finished, stored with them), the screening's flags (``too_fast``,
``bt500``, ``calibration``, ``low_correlation``, ...) from the whole panel, so only an
export can apply those. A rejected rater is never deleted: ``raters.csv`` and
``payments.csv`` list them with the reasons, and ``--exclude-rejected`` leaves them
out of the analysis when the researcher asks.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

ACCEPTANCE_COLUMNS = ["rater", "finished", "gold_ok", "attention_ok", "rejected_for", "accepted"]
PAYMENTS_COLUMNS = [
    "rater",
    "platform",
    "external_id",
    "completion_code",
    "started",
    "finished",
    "minutes",
    "items",
    "accepted",
    "reasons",
]
# ``Rater.external_source`` values that name a crowdsourcing platform (the link's id).
PLATFORMS = ("prolific", "mturk", "pid")
UNFINISHED = "unfinished"


def rater_acceptance(
    *,
    roster: pd.DataFrame,
    checks: pd.DataFrame,
    screen: pd.DataFrame,
    reject_if: tuple[str, ...],
) -> pd.DataFrame:
    """Per rater of ``roster``: finished, gold/attention results, rejected_for, accepted.

    ``roster``: ``rater, finished_at, rejection_reasons`` at least (``selectors.
    rater_roster``); ``checks``: ``rater, gold_ok, attention_ok``; ``screen``: the
    panel's ``stats.screen_raters`` (``rater, reasons``). ``rejected_for`` lists the
    broken rules in ``reject_if``'s order (";"-separated, empty when none);
    ``accepted`` = finished and not rejected.
    """
    table = roster[["rater", "finished_at", "rejection_reasons"]].merge(
        checks[["rater", "gold_ok", "attention_ok"]], on="rater", how="left"
    )
    flags = dict(zip(screen["rater"], screen["reasons"], strict=True))
    rejected_for = []
    for rater, stored, gold, attention in table[
        ["rater", "rejection_reasons", "gold_ok", "attention_ok"]
    ].itertuples(index=False):
        failed = {reason for reason in str(stored or "").split(";") if reason}
        failed |= {reason for reason in flags.get(rater, "").split(";") if reason}
        if _is_false(gold):
            failed.add("gold")
        if _is_false(attention):
            failed.add("attention")
        rejected_for.append(";".join(rule for rule in reject_if if rule in failed))
    table["finished"] = table["finished_at"].notna().astype(bool)
    table["rejected_for"] = rejected_for
    table["accepted"] = table["finished"] & (table["rejected_for"] == "")
    for column in ("gold_ok", "attention_ok"):
        table[column] = table[column].astype("boolean")
    return table[ACCEPTANCE_COLUMNS].reset_index(drop=True)


def payments_table(
    *, roster: pd.DataFrame, raters: pd.DataFrame, acceptance: pd.DataFrame
) -> pd.DataFrame:
    """payments.csv: every person who opened their link (consented), by rater number.

    Simulated and imported raters are nobody to pay, and a place nobody opened is
    nobody yet: neither is listed. ``platform`` is where the link's id came from
    (``prolific``, ``mturk``, ``pid``, else ``none``); ``started`` is the consent,
    ``finished`` the last item (UTC, ISO 8601; empty while unfinished); ``minutes``
    between them (one decimal); ``items`` the items rated (check items included: the
    work done); ``reasons`` why a rater is not accepted (``unfinished`` and the broken
    rules of ``reject_if``).
    """
    people = roster.merge(raters[["rater", "simulated", "imported"]], on="rater", how="left")
    people = people.merge(acceptance[["rater", "rejected_for", "accepted"]], on="rater")
    people = people[
        people["consented_at"].notna()
        & ~people["simulated"].fillna(False).astype(bool)
        & ~people["imported"].fillna(False).astype(bool)
    ]
    rows = []
    for row in people.itertuples(index=False):
        started, finished = _moment(row.consented_at), _moment(row.finished_at)
        minutes = None
        if started is not None and finished is not None:
            minutes = round((finished - started).total_seconds() / 60, 1)
        reasons = ([UNFINISHED] if finished is None else []) + [
            rule for rule in str(row.rejected_for).split(";") if rule
        ]
        rows.append(
            {
                "rater": row.rater,
                "platform": row.external_source if row.external_source in PLATFORMS else "none",
                "external_id": row.external_id,
                "completion_code": row.completion_code,
                "started": _iso(started),
                "finished": _iso(finished),
                "minutes": minutes,
                "items": int(str(row.rated)),
                "accepted": bool(row.accepted),
                "reasons": ";".join(reasons),
            }
        )
    return pd.DataFrame(rows, columns=PAYMENTS_COLUMNS)


def _missing(value: object) -> bool:
    """None, NA, NaT or NaN: a cell with nothing in it."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def _is_false(value: object) -> bool:
    """A check that was judged and failed (NA, NaN and None: not judged)."""
    return not _missing(value) and not bool(value)


def _moment(value: object) -> datetime | None:
    """A UTC datetime from a roster cell (datetime, Timestamp, None or NaT)."""
    if _missing(value):
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"a time is expected, got {value!r}")
    moment = pd.Timestamp(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return moment.to_pydatetime()


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""
