"""Ratings made elsewhere, and simulated raters: checks and maths here, rows by their owners.

Both make ordinary ``Rater``, ``PlanItem`` and ``Rating`` rows, so the exports and
the dashboard treat them like ratings made on this site; both flag what they made
(``Rater.external_source`` "import" or "simulated", ``Rater.simulated``) and record
the run in a :class:`~study.protocol.models.RaterBatch`. Both are all or nothing:
everything is checked before the first write, and the writes share one transaction.

This module writes nothing itself (a test holds ``study/analysis`` to reads): it
parses and checks the file, draws the simulated scores, and hands every row to the
service of the app that owns it: catalog rows to ``catalog.services``, the study,
raters, plans and batch to ``protocol.services``, the ratings and the raters'
progress to ``rating.services.record_ratings``.

Imported studies without image files (``import_ratings --create``): a dataset the
catalog does not have is created with ``source_dir = "import_ratings:<file>"``; its
images and outputs are rows without files: empty ``hr``/``lr``/``file`` names, zero
sizes, empty checksums, ``Output.origin = "imported"`` and no PSNR/SSIM. Such a study
is created closed (nobody rates it here) and its raters finished. A dataset that
the catalog already has is used as it is: its images and outputs must exist.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from study.analysis import simulate
from study.analysis.selectors import check_answers, fetch_rows, raters_table, stimuli_table
from study.catalog import methods as catalog_methods
from study.catalog import services as catalog_services
from study.catalog.models import Dataset, Output, SourceImage
from study.catalog.rules import NAME_RE, NAME_RULE, scale_problem
from study.protocol import selectors as protocol_selectors
from study.protocol import services as protocol_services
from study.protocol.config import ConfigError
from study.protocol.models import SIMULATED_SOURCE, PlanItem, Rater, RaterBatch, Study
from study.rating import services as rating_services
from study.srgan2017 import MOS, method_order

REQUIRED = ("rater", "dataset", "image", "method", "score")
OPTIONAL = ("repeat", "position", "response_ms", "submitted_at")
# How many problems an import error lists before "... and N more".
SHOW_ERRORS = 20
MAX_ERRORS = 1000
MAX_RATER_NAME = 200
Stimulus = tuple[str, str, str]  # (dataset, image, method)


class ImportRatingsError(ValueError):
    """A ratings file that cannot be imported; ``errors`` name the line of each problem."""

    def __init__(self, errors: list[str] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        shown = self.errors[:SHOW_ERRORS]
        more = len(self.errors) - len(shown)
        super().__init__("\n".join(shown) + (f"\n... and {more} more" if more > 0 else ""))


class SimulationError(ValueError):
    """Bad simulation request (unknown method, no quality for a method); nothing written."""


# --------------------------------------------------------------------------- import


@dataclass
class _Row:
    line: int
    rater: str
    dataset: str
    image: str
    method: str
    score: int
    repeat: int
    position: int | None
    response_ms: int | None
    submitted_at: datetime | None

    @property
    def stimulus(self) -> tuple[str, str, str]:
        return (self.dataset, self.image, self.method)


@dataclass
class ImportReport:
    study: Study
    created: bool
    raters: list[str]
    ratings: int
    datasets_created: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def _parse_int(text: str, *, minimum: int, maximum: int | None = None) -> int | None:
    if not re.fullmatch(r"\d+", text):
        return None
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def _parse_time(text: str) -> datetime | None:
    try:
        value = parse_datetime(text)
    except ValueError:
        return None
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)  # the export writes UTC; naive means UTC
    return value


def read_ratings_csv(source: TextIO, *, source_name: str) -> tuple[list[_Row], list[str]]:
    """Parse and check a ratings CSV row by row; returns the rows and the ignored columns.

    Required columns ``rater, dataset, image, method, score``; optional ``repeat``
    (0/1, default 0), ``position`` (plan position, default: the rater's rows in file
    order), ``response_ms`` and ``submitted_at`` (ISO 8601, UTC when no zone; default:
    the import time), so an exported ``ratings.csv`` imports as it is. Other columns are
    ignored and reported. Raises ``ImportRatingsError`` listing every problem by line
    (line 1 is the header).
    """
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRatingsError(f"{source_name}: the file is empty") from None
    except csv.Error as exc:
        raise ImportRatingsError(f"{source_name}: line 1: {exc}") from None
    names = [name.strip().lstrip("\ufeff").lower() for name in header]
    errors: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name in seen and name in (*REQUIRED, *OPTIONAL):
            errors.append(f"line 1: column {name!r} appears twice")
        seen.add(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        errors.append(
            f"line 1: missing column(s) {', '.join(map(repr, missing))} "
            f"(required: {', '.join(REQUIRED)}; optional: {', '.join(OPTIONAL)})"
        )
    if errors:
        raise ImportRatingsError([f"{source_name}: {e}" for e in errors])
    index = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    ignored = [h.strip() for h, n in zip(header, names, strict=True) if n not in index]

    rows: list[_Row] = []
    first_line: dict[tuple, int] = {}
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
            row = _check_row(line, {n: fields[i].strip() for n, i in index.items()}, errors)
            if row is None:
                continue
            key = (row.rater, *row.stimulus, row.repeat)
            if key in first_line:
                errors.append(
                    f"line {line}: rater {row.rater!r} rated {'/'.join(row.stimulus)} "
                    f"(repeat {row.repeat}) already on line {first_line[key]}"
                )
                continue
            first_line[key] = line
            if row.position is not None:
                where = positions.setdefault((row.rater, row.position), line)
                if where != line:
                    errors.append(
                        f"line {line}: rater {row.rater!r} has position {row.position} "
                        f"already on line {where}"
                    )
                    continue
            rows.append(row)
    except csv.Error as exc:
        errors.append(f"line {reader.line_num}: {exc}")
    if not errors and not rows:
        errors.append("the file has a header but no ratings")
    if errors:
        raise ImportRatingsError([f"{source_name}: {e}" for e in errors])
    return rows, ignored


def _check_row(line: int, values: dict[str, str], errors: list[str]) -> _Row | None:
    problems: list[str] = []

    def fail(column: str, message: str) -> None:
        problems.append(f"line {line}: column {column!r}: {message}")

    rater = values["rater"]
    if not rater:
        fail("rater", "is empty")
    elif len(rater) > MAX_RATER_NAME:
        fail("rater", f"at most {MAX_RATER_NAME} characters")
    for column in ("dataset", "image"):
        if not NAME_RE.match(values[column]):
            fail(column, f"{values[column]!r} is not a valid name ({NAME_RULE})")
    method = None
    try:
        method = catalog_methods.normalise_key(values["method"])
    except catalog_methods.MethodKeyError as exc:
        fail("method", str(exc))
    score = _parse_int(values["score"], minimum=1, maximum=5)
    if score is None:
        fail("score", f"must be an integer 1 to 5, got {values['score']!r}")
    repeat = 0
    if values.get("repeat"):
        repeat = _parse_int(values["repeat"], minimum=0, maximum=1)
        if repeat is None:
            fail("repeat", f"must be 0 or 1, got {values['repeat']!r}")
    position = None
    if "position" in values:
        position = _parse_int(values["position"], minimum=0, maximum=2**31 - 1)
        if position is None:
            fail("position", f"must be a whole number >= 0, got {values['position']!r}")
    response_ms = None
    if values.get("response_ms"):
        response_ms = _parse_int(values["response_ms"], minimum=0, maximum=2**31 - 1)
        if response_ms is None:
            fail("response_ms", f"must be a whole number >= 0, got {values['response_ms']!r}")
    submitted_at = None
    if values.get("submitted_at"):
        submitted_at = _parse_time(values["submitted_at"])
        if submitted_at is None:
            fail(
                "submitted_at",
                f"must be an ISO 8601 date and time, got {values['submitted_at']!r}",
            )
    if problems:
        errors.extend(problems)
        return None
    return _Row(
        line,
        rater,
        values["dataset"],
        values["image"],
        method,
        score,
        repeat,
        position,
        response_ms,
        submitted_at,
    )


def import_ratings(
    *,
    source: TextIO,
    source_name: str,
    study_name: str,
    create: bool = False,
    scale: int = 4,
) -> ImportReport:
    """Import the ratings of a CSV file into ``study_name``, all or nothing.

    Without ``create`` the study exists and every (dataset, image, method) of the file
    must be one of its rating stimuli. With ``create`` the study is made from the file
    (see the module docstring). Each rater of the file becomes a new Rater (numbered
    after the study's last; ``external_source = "import"``, ``external_id`` = the
    file's name, which exports use as the rater's name); a name the study already has
    is refused, so a file is not imported twice.
    """
    text = source.read()
    checksum = hashlib.sha256(text.encode()).hexdigest()
    rows, ignored = read_ratings_csv(io.StringIO(text, newline=""), source_name=source_name)
    study_name = study_name.strip()
    if not study_name or len(study_name) > 100:
        raise ImportRatingsError("--study: a study name of 1 to 100 characters")
    provenance = {"file": source_name, "sha256": checksum, "rows": len(rows)}
    with transaction.atomic():
        if create:
            study, stimulus_ids, created = _create_study(study_name, rows, scale, provenance)
        else:
            study = protocol_selectors.study_for_update(name=study_name)
            if study is None:
                raise ImportRatingsError(
                    f"--study: no study named {study_name!r} (use --create to make it from "
                    "the file)"
                )
            stimulus_ids = _existing_stimuli(study, rows)
            created = []
        raters = _add_imported_raters(study, rows, stimulus_ids, provenance)
    return ImportReport(
        study=study,
        created=create,
        raters=raters,
        ratings=len(rows),
        datasets_created=created,
        ignored_columns=ignored,
    )


def _stimulus_ids(study: Study) -> dict[Stimulus, int]:
    table = stimuli_table(study=study)
    return {
        (d, i, m): sid
        for sid, d, i, m in table[["stimulus_id", "dataset", "image", "method"]].itertuples(
            index=False
        )
    }


def _existing_stimuli(study: Study, rows: list[_Row]) -> dict[Stimulus, int]:
    ids = _stimulus_ids(study)
    errors = []
    reported: set[Stimulus] = set()
    for row in rows:
        if row.stimulus not in ids and row.stimulus not in reported:
            reported.add(row.stimulus)
            errors.append(
                f"line {row.line}: {'/'.join(row.stimulus)} is not a rated stimulus of "
                f"study {study.name!r} (dataset/image/method)"
            )
    if errors:
        raise ImportRatingsError(errors)
    return ids


def _create_study(
    name: str, rows: list[_Row], scale: int, provenance: dict
) -> tuple[Study, dict[Stimulus, int], list[str]]:
    try:
        name = protocol_services.check_study_name(name)
    except ConfigError as exc:
        raise ImportRatingsError(f"--study: {exc}") from None
    if Study.objects.filter(name=name).exists():
        raise ImportRatingsError(
            f"--study: a study named {name!r} already exists (drop --create to add the "
            "file's raters to it)"
        )
    problem = scale_problem(scale)
    if problem:
        raise ImportRatingsError(problem)
    first_line: dict[Stimulus, int] = {}
    for row in rows:
        first_line.setdefault(row.stimulus, row.line)
    outputs, existing = _catalog_outputs(first_line)
    created = sorted({d for d, _, _ in first_line} - existing)
    try:
        outputs.update(
            catalog_services.add_outputs_without_files(
                outputs=[stimulus for stimulus in first_line if stimulus[0] in created],
                scale=scale,
                origin=f"import_ratings:{provenance['file']}"[:1000],
            )
        )
    except catalog_services.CatalogError as exc:
        raise ImportRatingsError(str(exc)) from None
    arms: dict[str, set[str]] = defaultdict(set)
    for dataset, _, method in first_line:
        arms[dataset].add(method)
    retested = {row.stimulus for row in rows if row.repeat == 1}
    study = protocol_services.create_imported_study(
        name=name,
        title=f"Imported from {provenance['file']}",
        arms=arms,
        raters=len({row.rater for row in rows}),
        provenance=provenance,
        stimuli=[(outputs[stimulus], stimulus in retested) for stimulus in first_line],
    )
    return study, _stimulus_ids(study), created


def _catalog_outputs(first_line: Mapping[Stimulus, int]) -> tuple[dict[Stimulus, int], set[str]]:
    """The outputs of the file's datasets the catalog has, and those datasets' names.

    A dataset the catalog has is used as it is: every image and output the file names
    in it must exist (each missing one is an error naming its first line).
    """
    names = sorted({d for d, _, _ in first_line})
    existing = list(Dataset.objects.filter(name__in=names))
    outputs = {
        (d, i, m): oid
        for oid, d, i, m in Output.objects.filter(image__dataset__in=existing).values_list(
            "id", "image__dataset__name", "image__name", "method__key"
        )
    }
    images = set(
        SourceImage.objects.filter(dataset__in=existing).values_list("dataset__name", "name")
    )
    known = {dataset.name for dataset in existing}
    errors = []
    for stimulus, line in first_line.items():
        dataset, image, method = stimulus
        if dataset not in known or stimulus in outputs:
            continue
        if (dataset, image) not in images:
            errors.append(
                f"line {line}: the catalog's dataset {dataset!r} has no image {image!r} (an "
                "existing dataset is used as it is; name the dataset differently to import "
                "without images)"
            )
        else:
            errors.append(
                f"line {line}: the catalog has no {method} output for {dataset}/{image} "
                "(import it first, or name the dataset differently)"
            )
    if errors:
        raise ImportRatingsError(errors)
    return outputs, known


def _add_imported_raters(
    study: Study,
    rows: list[_Row],
    stimulus_ids: Mapping[Stimulus, int],
    provenance: dict,
) -> list[str]:
    by_rater: dict[str, list[_Row]] = {}
    for row in rows:
        by_rater.setdefault(row.rater, []).append(row)
    known = set(raters_table(study=study)["rater"])
    clashes = [
        f"line {group[0].line}: rater {name!r} is already in study {study.name!r} "
        "(a file is imported once; rename the rater to add them again)"
        for name, group in by_rater.items()
        if name in known
    ]
    if clashes:
        raise ImportRatingsError(clashes)
    now = timezone.now()
    plans = {
        name: [
            (
                index if row.position is None else row.position,
                stimulus_ids[row.stimulus],
                row.repeat,
            )
            for index, row in enumerate(group)
        ]
        for name, group in by_rater.items()
    }
    raters = protocol_services.add_imported_raters(study=study, plans=plans)
    planned = {
        (rater.pk, position): row
        for rater, group, plan in zip(raters, by_rater.values(), plans.values(), strict=True)
        for (position, _, _), row in zip(plan, group, strict=True)
    }
    items = fetch_rows(
        PlanItem.objects.filter(rater__in=raters)
        .order_by()
        .values_list("id", "rater_id", "position")
    )
    ratings = []
    for item_id, rater_id, position in items:
        row = planned[(rater_id, position)]
        ratings.append((item_id, row.score, row.response_ms, row.submitted_at or now))
    rating_services.record_ratings(
        study=study,
        ratings=ratings,
        sessions={
            rater.pk: _session(group, now)
            for rater, group in zip(raters, by_rater.values(), strict=True)
        },
    )
    protocol_services.record_rater_batch(
        study=study,
        kind=RaterBatch.Kind.IMPORTED,
        numbers=[rater.number for rater in raters],
        parameters=provenance,
    )
    return list(by_rater)


def _session(group: list[_Row], now: datetime) -> tuple[datetime, datetime]:
    """When an imported rater began and finished: their first and last times, else now."""
    times = [row.submitted_at for row in group if row.submitted_at is not None]
    return (min(times), max(times)) if times else (now, now)


# --------------------------------------------------------------------------- simulate


def default_quality(dataset: str, method: str) -> float | None:
    """The paper's MOS of ``method`` on ``dataset``, else its mean over the paper's sets."""
    if method in MOS.get(dataset, {}):
        return MOS[dataset][method]
    values = [table[method] for table in MOS.values() if method in table]
    return round(float(np.mean(values)), 2) if values else None


def parse_qualities(items: Iterable[str]) -> dict[str, float]:
    """``["srgan-vgg54=3.6", ...]`` (the command's ``--quality``) as a mapping."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SimulationError(f"--quality {item!r}: expected METHOD=VALUE")
        try:
            key = catalog_methods.normalise_key(name)
        except catalog_methods.MethodKeyError as exc:
            raise SimulationError(f"--quality {item!r}: {exc}") from None
        try:
            number = float(value)
        except ValueError:
            raise SimulationError(f"--quality {item!r}: {value!r} is not a number") from None
        out[key] = number
    return out


@dataclass
class SimulationReport:
    study: Study
    raters: list[int]
    ratings: int
    quality: dict[str, dict[str, float]]


def simulate_raters(
    *,
    study: Study,
    count: int,
    seed: int,
    quality: Mapping[str, float] | None = None,
    bias_sd: float = 0.3,
    noise_sd: float = 0.7,
) -> SimulationReport:
    """Fill ``count`` raters of ``study`` with simulated scores: its unopened places
    first, then new raters.

    A place nobody opened (``protocol.services.fill_places``) keeps its number and its
    plan and becomes ``simulated``; only the rest are added with plans from the
    protocol's plan builder, exactly as for invited raters. Scores come from
    :func:`study.analysis.simulate.score_plan`: per-method ``quality`` (default: the
    paper's MOS for the dataset, ``study.srgan2017.MOS``) plus a rater bias
    N(0, ``bias_sd``) and noise N(0, ``noise_sd``), rounded to 1..5. Rater names in the
    simulation are their numbers, so a rater's scores depend on (seed, number,
    stimulus) only. Gold and attention items (``[quality]``) are answered as they ask,
    so simulated raters are accepted. The raters are ``simulated`` and finished.
    """
    overrides = _checked_request(
        count=count, seed=seed, bias_sd=bias_sd, noise_sd=noise_sd, quality=quality
    )
    stimuli = stimuli_table(study=study)
    planted = _planted_qualities(study, stimuli, overrides)
    now = timezone.now()
    with transaction.atomic():
        try:
            raters = protocol_services.fill_places(
                study=study, count=count, source=SIMULATED_SOURCE
            )
        except protocol_services.ProtocolError as exc:
            raise SimulationError(str(exc)) from None
        items, scores = _scores(
            raters,
            stimuli,
            planted,
            answers=check_answers(study=study),
            seed=seed,
            bias_sd=bias_sd,
            noise_sd=noise_sd,
        )
        rating_services.record_ratings(
            study=study,
            ratings=[(item, score, None, now) for item, score in zip(items, scores, strict=True)],
            sessions={rater.pk: (now, now) for rater in raters},
        )
        numbers = [r.number for r in raters]
        protocol_services.record_rater_batch(
            study=study,
            kind=RaterBatch.Kind.SIMULATED,
            numbers=numbers,
            parameters={
                "count": count,
                "seed": seed,
                "bias_sd": bias_sd,
                "noise_sd": noise_sd,
                "quality": planted,
                "model": "score = round(quality + N(0, bias_sd) per rater + N(0, noise_sd)), "
                "clipped to 1..5 (study.analysis.simulate.score_plan); gold and attention "
                "items answered as they ask",
            },
        )
    return SimulationReport(study=study, raters=numbers, ratings=len(scores), quality=planted)


def _checked_request(
    *,
    count: int,
    seed: int,
    bias_sd: float,
    noise_sd: float,
    quality: Mapping[str, float] | None,
) -> dict[str, float]:
    """The simulation's numbers checked (SimulationError names the option); the overrides."""
    if count < 1 or count > 100_000:
        raise SimulationError(f"--count: 1 to 100000, got {count}")
    for name, value in (("bias_sd", bias_sd), ("noise_sd", noise_sd)):
        if not (math.isfinite(value) and value >= 0):
            raise SimulationError(f"--{name.replace('_', '-')}: a number >= 0, got {value}")
    if seed < 0:
        raise SimulationError(f"--seed: a whole number >= 0, got {seed}")
    overrides = dict(quality or {})
    for method, value in overrides.items():
        if not (math.isfinite(value) and 1.0 <= value <= 5.0):
            raise SimulationError(f"--quality {method}={value}: a quality is 1 to 5")
    return overrides


def _planted_qualities(
    study: Study, stimuli: pd.DataFrame, overrides: Mapping[str, float]
) -> dict[str, dict[str, float]]:
    """dataset -> method -> the mean score planted: the override, else the paper's MOS."""
    if stimuli.empty:
        raise SimulationError(f"study {study.name!r} has no rated stimuli")
    unknown = sorted(set(overrides) - set(stimuli["method"]))
    if unknown:
        raise SimulationError(
            f"--quality: study {study.name!r} has no method {', '.join(map(repr, unknown))} "
            f"(its methods: {', '.join(method_order(set(stimuli['method'])))})"
        )
    planted: dict[str, dict[str, float]] = {}
    missing = []
    for dataset, method in sorted(set(zip(stimuli["dataset"], stimuli["method"], strict=True))):
        value = overrides.get(method, default_quality(dataset, method))
        if value is None:
            missing.append(f"{method} ({dataset})")
        else:
            planted.setdefault(dataset, {})[method] = value
    if missing:
        raise SimulationError(
            "no default quality for " + ", ".join(missing) + "; pass --quality METHOD=VALUE"
        )
    return planted


def _scores(
    raters: list[Rater],
    stimuli: pd.DataFrame,
    planted: Mapping[str, Mapping[str, float]],
    *,
    answers: Mapping[int, int],
    seed: int,
    bias_sd: float,
    noise_sd: float,
) -> tuple[list[int], list[int]]:
    """The rating items of the new raters' plans (ids) and the simulated score of each.

    ``answers`` maps the study's gold and attention stimuli to the score they ask for:
    those items get it, the others a score of the model.
    """
    rows = fetch_rows(
        PlanItem.objects.filter(rater_id__in=[r.pk for r in raters], phase=PlanItem.Phase.RATING)
        .order_by()
        .values_list("id", "rater__number", "stimulus_id", "repeat")
    )
    everything = np.array(rows, dtype=np.int64).reshape(-1, 4)
    del rows
    checked = np.isin(everything[:, 2], np.fromiter(answers, dtype=np.int64, count=len(answers)))
    items = everything[~checked]
    check_items = everything[checked]
    where = pd.Index(stimuli["stimulus_id"]).get_indexer(items[:, 2])
    plan = pd.DataFrame(
        {
            "rater": items[:, 1].astype(str),
            "dataset": stimuli["dataset"].to_numpy(object)[where],
            "image": stimuli["image"].to_numpy(object)[where],
            "method": stimuli["method"].to_numpy(object)[where],
            "repeat": items[:, 3],
        }
    )
    quality = pd.DataFrame(
        [(d, m, q) for d, methods in planted.items() for m, q in methods.items()],
        columns=["dataset", "method", "quality"],
    )
    scores = simulate.score_plan(
        plan, quality=quality, seed=seed, bias_sd=bias_sd, noise_sd=noise_sd
    ).to_numpy()
    check_scores = [answers[stimulus] for stimulus in check_items[:, 2].tolist()]
    return (
        items[:, 0].tolist() + check_items[:, 0].tolist(),
        scores.tolist() + check_scores,
    )
