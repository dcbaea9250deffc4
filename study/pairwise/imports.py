"""Choices made elsewhere into a two-image study (``import_ratings``), all or nothing.

The file: ``rater,dataset,image,method_a,method_b,winner`` (``method_a`` was shown on
the left), or an exported ``choices.csv`` whose ``left,right,chosen`` name the same
columns; optional ``position`` (the rater's trial order, default: file order),
``response_ms`` and ``submitted_at`` (ISO 8601, UTC when no zone; default: the import
time). Other columns are ignored and reported. Every row is checked before anything
is written: names, a winner that is one of the two methods, two stimuli of the study
on the same photograph, and, where the kind compares against a reference (2afc-real:
``hr``), exactly one of the two is it. Each problem names its line (line 1 is the
header) and value; any problem imports nothing.

The rows are written by their owners: the raters by ``protocol.services``
(``add_imported_raters``, no ACR plan, and a ``RaterBatch`` with the file's name and
checksum), their trials and choices by :func:`study.pairwise.services.record_choices`.
A rater name the study already has is refused, so a file is not imported twice.
``--create`` is not supported for these kinds: a two-image study is made from its TOML
(``create_study``) and the file imported into it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO, cast

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from study.analysis.kinds import KindError, Options
from study.analysis.selectors import raters_table
from study.analysis.services import ImportRatingsError
from study.catalog import methods as catalog_methods
from study.catalog.rules import NAME_RE, NAME_RULE
from study.pairwise import selectors, services
from study.protocol import selectors as protocol_selectors
from study.protocol import services as protocol_services
from study.protocol.config import REFERENCE_METHODS
from study.protocol.models import RaterBatch, Study

REQUIRED = ("rater", "dataset", "image", "method_a", "method_b", "winner")
# An exported choices.csv names the shown sides: left = method_a, right = method_b.
ALIASES = {"left": "method_a", "right": "method_b", "chosen": "winner"}
OPTIONAL = ("position", "response_ms", "submitted_at")
MAX_ERRORS = 1000
MAX_RATER_NAME = 200
MAX_INT = 2**31 - 1


@dataclass(frozen=True)
class ChoiceRow:
    line: int
    rater: str
    dataset: str
    image: str
    method_a: str  # shown on the left
    method_b: str
    winner: str
    position: int | None
    response_ms: int | None
    submitted_at: datetime | None


def reads_header(columns: list[str]) -> bool:
    """Whether a CSV header is this import format (either naming of the methods)."""
    names = {ALIASES.get(c, c) for c in columns}
    return set(REQUIRED) <= names


def _columns(header: list[str], source_name: str) -> tuple[dict[str, int], list[str]]:
    """Column index of every known column (aliases resolved), and the ignored columns."""
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    errors = []
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        key = ALIASES.get(name, name)
        if key in (*REQUIRED, *OPTIONAL):
            if key in index:
                errors.append(f"line 1: column {name!r} appears twice (or as its alias)")
            index[key] = position
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        errors.append(
            f"line 1: missing column(s) {', '.join(map(repr, missing))} (required: "
            f"{', '.join(REQUIRED)}, or left,right,chosen for method_a,method_b,winner; "
            f"optional: {', '.join(OPTIONAL)})"
        )
    if errors:
        raise ImportRatingsError([f"{source_name}: {e}" for e in errors])
    used = set(index.values())
    return index, [h.strip() for k, h in enumerate(header) if k not in used]


def _whole(text: str) -> int | None:
    return int(text) if re.fullmatch(r"\d+", text) and int(text) <= MAX_INT else None


def _time(text: str) -> datetime | None:
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)  # the export writes UTC; naive means UTC
    return value


def _method(values: dict[str, str], column: str, fail: list[str], line: int) -> str:
    try:
        return catalog_methods.normalise_key(values[column])
    except catalog_methods.MethodKeyError as exc:
        fail.append(f"line {line}: column {column!r}: {exc}")
        return ""


def check_row(line: int, values: dict[str, str]) -> tuple[ChoiceRow | None, list[str]]:
    """One data row checked on its own: the row, or the problems (each naming the line)."""
    fail: list[str] = []
    rater = values["rater"]
    if not rater or len(rater) > MAX_RATER_NAME:
        fail.append(f"line {line}: column 'rater': 1 to {MAX_RATER_NAME} characters, got {rater!r}")
    for column in ("dataset", "image"):
        if not NAME_RE.match(values[column]):
            fail.append(
                f"line {line}: column {column!r}: {values[column]!r} is not a valid name "
                f"({NAME_RULE})"
            )
    a, b, winner = (_method(values, c, fail, line) for c in ("method_a", "method_b", "winner"))
    if a and a == b:
        fail.append(f"line {line}: method_a and method_b are both {a!r}")
    elif a and b and winner and winner not in (a, b):
        fail.append(
            f"line {line}: column 'winner': {values['winner']!r} is neither method_a {a!r} "
            f"nor method_b {b!r}"
        )
    numbers = {}
    for column in ("position", "response_ms"):
        raw = values.get(column, "")
        numbers[column] = _whole(raw) if raw else None
        if raw and numbers[column] is None:
            fail.append(f"line {line}: column {column!r}: must be a whole number >= 0, got {raw!r}")
    at = _time(values["submitted_at"]) if values.get("submitted_at") else None
    if values.get("submitted_at") and at is None:
        fail.append(
            f"line {line}: column 'submitted_at': must be an ISO 8601 date and time, got "
            f"{values['submitted_at']!r}"
        )
    if fail:
        return None, fail
    row = ChoiceRow(
        line, rater, values["dataset"], values["image"], a, b, winner,
        numbers["position"], numbers["response_ms"], at,
    )  # fmt: skip
    return row, []


def read_choices_csv(source: TextIO, *, source_name: str) -> tuple[list[ChoiceRow], list[str]]:
    """Parse and check every row; the rows and the ignored columns (``ImportRatingsError``)."""
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRatingsError(f"{source_name}: the file is empty") from None
    except csv.Error as exc:
        raise ImportRatingsError(f"{source_name}: line 1: {exc}") from None
    index, ignored = _columns(header, source_name)
    rows: list[ChoiceRow] = []
    errors: list[str] = []
    positions: dict[tuple[str, int], int] = {}
    try:
        for fields in reader:
            line = reader.line_num
            if len(errors) >= MAX_ERRORS:
                break
            if not any(value.strip() for value in fields):
                continue
            if len(fields) != len(header):
                errors.append(f"line {line}: {len(fields)} fields, the header has {len(header)}")
                continue
            row, problems = check_row(line, {n: fields[i].strip() for n, i in index.items()})
            errors += problems
            if row is not None and row.position is not None:
                first = positions.setdefault((row.rater, row.position), line)
                if first != line:
                    errors.append(
                        f"line {line}: rater {row.rater!r} has position {row.position} "
                        f"already on line {first}"
                    )
                    continue
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: {exc}")
    if not errors and not rows:
        errors.append("the file has a header but no choices")
    if errors:
        raise ImportRatingsError([f"{source_name}: {e}" for e in errors])
    return rows, ignored


def _stimulus_ids(study: Study) -> dict[tuple[str, str, str], int]:
    """(dataset, image, method) -> stimulus id of every stimulus a trial may show."""
    found = selectors.layout(study=study)
    ids = {
        (d, i, m): sid
        for d, images in found.stimuli.items()
        for i, methods in images.items()
        for m, sid in methods.items()
    }
    reference = REFERENCE_METHODS.get(selectors.kind(study))
    if reference is not None:
        for dataset, images in found.references.items():
            ids.update({(dataset, i, reference): sid for i, sid in images.items()})
    return ids


def check_against_study(study: Study, rows: list[ChoiceRow]) -> list[tuple[ChoiceRow, int, int]]:
    """Each row with its (left, right) stimulus ids; every problem named by its line."""
    ids = _stimulus_ids(study)
    reference = REFERENCE_METHODS.get(selectors.kind(study))
    errors = []
    known = set(raters_table(study=study)["rater"])
    clashes = {row.rater: row.line for row in reversed(rows) if row.rater in known}
    errors += [
        f"line {line}: rater {name!r} is already in study {study.name!r} (a file is imported "
        "once; rename the rater to add them again)"
        for name, line in sorted(clashes.items(), key=lambda item: item[1])
    ]
    found = []
    for row in rows:
        pair = []
        for column, method in (("method_a", row.method_a), ("method_b", row.method_b)):
            sid = ids.get((row.dataset, row.image, method))
            if sid is None:
                errors.append(
                    f"line {row.line}: column {column!r}: {row.dataset}/{row.image}/{method} is "
                    f"not a stimulus of study {study.name!r} (dataset/image/method)"
                )
            pair.append(sid)
        if reference is not None and (row.method_a == reference) == (row.method_b == reference):
            errors.append(
                f"line {row.line}: a {study.config.get('kind')} trial compares a method with "
                f"{reference!r}, got {row.method_a!r} and {row.method_b!r}"
            )
        if None not in pair:
            found.append((row, cast(int, pair[0]), cast(int, pair[1])))
    if errors:
        raise ImportRatingsError(errors[:MAX_ERRORS])
    return found


def import_choices(source: TextIO, source_name: str, study: Study | None, options: Options) -> str:
    """The registry's ``import_ratings`` for two-image studies; returns the summary."""
    name = str(options.get("study", "")).strip()
    if options.get("create"):
        raise KindError(
            "nothing imported:\n--create makes ACR studies only: create the two-image study "
            "from its TOML (create_study), then import the file into it with --study"
        )
    if study is None:
        raise KindError(f"nothing imported:\n--study: no study named {name!r}")
    text = source.read()
    checksum = hashlib.sha256(text.encode()).hexdigest()
    try:
        rows, ignored = read_choices_csv(io.StringIO(text, newline=""), source_name=source_name)
        with transaction.atomic():
            study = protocol_selectors.study_for_update(name=study.name) or study
            checked = check_against_study(study, rows)
            provenance = {"file": source_name, "sha256": checksum, "rows": len(rows)}
            raters = _write(study, checked, provenance)
    except ImportRatingsError as exc:
        raise KindError(f"nothing imported:\n{exc}") from None
    lines = [f"study {study.name!r}: {len(rows)} choices of {raters} raters imported"]
    if ignored:
        lines.append("ignored columns: " + ", ".join(ignored))
    return "\n".join(lines)


def _write(
    study: Study, checked: list[tuple[ChoiceRow, int, int]], provenance: dict[str, object]
) -> int:
    """Raters, their trials and choices, and the batch (inside the caller's transaction)."""
    by_rater: dict[str, list[tuple[ChoiceRow, int, int]]] = {}
    for item in checked:
        by_rater.setdefault(item[0].rater, []).append(item)
    raters = protocol_services.add_imported_raters(
        study=study, plans={name: [] for name in by_rater}
    )
    now = timezone.now()
    choices: list[services.RecordedChoice] = []
    for rater, group in zip(raters, by_rater.values(), strict=True):
        ordered = sorted(
            enumerate(group),
            key=lambda pair: (pair[1][0].position is None, pair[1][0].position or 0, pair[0]),
        )
        for _, (row, left, right) in ordered:
            chose_left = row.winner == row.method_a
            choices.append(
                (rater, left, right, chose_left, row.response_ms, row.submitted_at or now)
            )
    services.record_choices(study=study, choices=choices)
    protocol_services.record_rater_batch(
        study=study,
        kind=RaterBatch.Kind.IMPORTED,
        numbers=[rater.number for rater in raters],
        parameters=provenance,
    )
    return len(raters)
