"""Reads of the analysis: a study's ratings as the long table of ``stats``, and dashboard facts.

The ratings table is built from one SQL query over ``Rating`` (joined to its plan
item) that returns plain ids and numbers; names come from two small lookups (the
study's raters and stimuli) and are attached with NumPy indexing. A study of 1,000
raters x 1,128 ratings is 1.1 million rows: per-row ORM objects or per-row datetime
conversion would cost more than all the statistics together.

A rater is named by ``rater_label``: the number for raters of this site (``"7"``),
the original name for imported raters (``Rater.external_source == "import"``), so an
exported ``ratings.csv`` imported elsewhere keeps its rater names. Crowdsourcing ids
(Prolific, MTurk) are never used as names: they identify people.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Avg, Count, Max, Model, Q, QuerySet

from study.analysis.models import RaterBatch
from study.analysis.pipeline import StudyFacts
from study.catalog.models import Method
from study.generation.models import GenerationItem, GenerationJob
from study.protocol import kinds as protocol_kinds
from study.protocol import quality
from study.protocol.config import DEFAULT_MIN_RESPONSE_MS
from study.protocol.models import PlanItem, Rater, Stimulus, Study
from study.rating.models import Rating

# Re-exported: analysis.services imported the paper's order from here before study.srgan2017.
from study.srgan2017 import dataset_order as dataset_order
from study.srgan2017 import method_order as method_order

IMPORTED_SOURCE = "import"
SIMULATED_SOURCE = "simulated"

RATING_COLUMNS = [
    "rater",
    "dataset",
    "image",
    "method",
    "score",
    "repeat",
    "position",
    "response_ms",
    "server_ms",
    "submitted_at",
    "simulated",
]


def rater_label(number: int, external_source: str, external_id: str) -> str:
    """The name of a rater in every table and export (see the module docstring)."""
    if external_source == IMPORTED_SOURCE and external_id:
        return external_id
    return str(number)


def raters_table(*, study: Study) -> pd.DataFrame:
    """Every rater of the study: ``rater_id, number, rater, simulated, imported``, by number."""
    rows = list(
        study.raters.order_by("number").values_list(
            "id", "number", "simulated", "external_source", "external_id"
        )
    )
    return pd.DataFrame(
        {
            "rater_id": np.array([r[0] for r in rows], dtype=np.int64),
            "number": np.array([r[1] for r in rows], dtype=np.int64),
            "rater": [rater_label(r[1], r[3], r[4]) for r in rows],
            "simulated": np.array([r[2] for r in rows], dtype=bool),
            "imported": np.array([r[3] == IMPORTED_SOURCE for r in rows], dtype=bool),
        }
    )


def stimuli_table(*, study: Study) -> pd.DataFrame:
    """The study's rating stimuli: ``stimulus_id, dataset, image, method, retest``."""
    rows = list(
        study.stimuli.filter(role=Stimulus.Role.RATING).values_list(
            "id",
            "output__image__dataset__name",
            "output__image__name",
            "output__method__key",
            "retest",
        )
    )
    return pd.DataFrame(rows, columns=["stimulus_id", "dataset", "image", "method", "retest"])


def ratings_frame(*, study: Study) -> pd.DataFrame:
    """Every rating of the study as the long table of :mod:`study.analysis.stats`.

    Columns ``RATING_COLUMNS``: ``score``, ``repeat`` and ``position`` (the plan
    position, calibration items included) are int64, ``response_ms`` (the browser's
    figure) and ``server_ms`` (served to submitted, by the server's clock) are nullable
    Int64, ``submitted_at`` a UTC timestamp, ``simulated`` the rater's flag. Rows are
    ordered by rater number, then position. Calibration acknowledgements are not
    ratings and are not here, nor are the answers to gold and attention items
    (``[quality]``): they judge raters (:func:`quality_checks`), never methods.
    """
    query = (
        Rating.objects.filter(
            plan_item__rater__study=study, plan_item__stimulus__role=Stimulus.Role.RATING
        )
        .order_by()
        .values_list(
            "plan_item__rater_id",
            "plan_item__stimulus_id",
            "score",
            "plan_item__repeat",
            "plan_item__position",
            "response_ms",
            "server_ms",
            "submitted_at",
        )
    )
    rows = fetch_rows(query)
    raw = pd.DataFrame.from_records(
        rows,
        columns=[
            "rater_id",
            "stimulus_id",
            "score",
            "repeat",
            "position",
            "response_ms",
            "server_ms",
            "at",
        ],
        nrows=len(rows),
    )
    del rows
    raters = raters_table(study=study)
    stimuli = stimuli_table(study=study)
    r = pd.Index(raters["rater_id"]).get_indexer(raw["rater_id"])
    s = pd.Index(stimuli["stimulus_id"]).get_indexer(raw["stimulus_id"])
    if (s < 0).any():  # pragma: no cover - a Rating always belongs to a rating stimulus
        raise ValueError(f"study {study.name!r}: a rating refers to a non-rating stimulus")
    frame = pd.DataFrame(
        {
            "rater": raters["rater"].to_numpy(object)[r],
            "dataset": stimuli["dataset"].to_numpy(object)[s],
            "image": stimuli["image"].to_numpy(object)[s],
            "method": stimuli["method"].to_numpy(object)[s],
            "score": raw["score"].to_numpy(np.int64),
            "repeat": raw["repeat"].to_numpy(np.int64),
            "position": raw["position"].to_numpy(np.int64),
            # A Series of ints and None: pandas-stubs list only sequences and arrays.
            "response_ms": pd.array(raw["response_ms"], dtype="Int64"),  # type: ignore[call-overload]
            "server_ms": pd.array(raw["server_ms"], dtype="Int64"),  # type: ignore[call-overload]
            "submitted_at": _timestamps(raw["at"]),
            "simulated": raters["simulated"].to_numpy(bool)[r],
        }
    )
    order = np.lexsort((frame["position"].to_numpy(), raters["number"].to_numpy()[r]))
    return frame.iloc[order].reset_index(drop=True)


def fetch_rows(query: QuerySet[Model, tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The rows of a ``values_list`` query as the driver returns them, in one round trip.

    Skips Django's per-row conversions (the reason to use it: 10^6 rows), so values
    are what the database returns: integers, text, and datetimes as text on SQLite.
    """
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[object, ...]] = cursor.fetchall()
        return rows


def _timestamps(values: pd.Series[str] | pd.Series[datetime]) -> pd.Series[pd.Timestamp]:
    """UTC timestamps from what the driver returned: datetimes (psycopg) or text (SQLite)."""
    if values.empty:
        return pd.Series(pd.to_datetime([], utc=True))
    if isinstance(values.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601").reset_index(drop=True)
    return pd.to_datetime(values, utc=True).reset_index(drop=True)


def quality_checks(*, study: Study) -> pd.DataFrame:
    """Each rater's gold and attention results: ``rater, gold_ok, attention_ok``.

    From the rater's answers to the study's gold and attention items, judged as the
    done page judges them (``protocol.quality.failed_checks``). Nullable booleans: NA
    for a rater who answered no item of that kind. Only raters with such answers.
    """
    rows = (
        Rating.objects.filter(
            plan_item__rater__study=study,
            plan_item__stimulus__role__in=[Stimulus.Role.GOLD, Stimulus.Role.ATTENTION],
        )
        .order_by()
        .values_list(
            "plan_item__rater_id",
            "plan_item__stimulus__role",
            "score",
            "plan_item__stimulus__expected_low",
            "plan_item__stimulus__expected_high",
        )
    )
    answers: dict[int, list[tuple[str, int, int | None, int | None]]] = {}
    for rater_id, role, score, low, high in rows:
        answers.setdefault(rater_id, []).append((role, score, low, high))
    labels = raters_table(study=study).set_index("rater_id")["rater"]
    records = []
    for rater_id, given in answers.items():
        failed = quality.failed_checks(given)
        roles = {role for role, *_ in given}
        records.append(
            {
                "rater": labels[rater_id],
                "gold_ok": pd.NA if quality.GOLD not in roles else quality.GOLD not in failed,
                "attention_ok": (
                    pd.NA if quality.ATTENTION not in roles else quality.ATTENTION not in failed
                ),
            }
        )
    frame = pd.DataFrame(records, columns=["rater", "gold_ok", "attention_ok"])
    return frame.astype({"gold_ok": "boolean", "attention_ok": "boolean"})


def check_answers(*, study: Study) -> dict[int, int]:
    """The study's gold and attention stimuli (ids) and the score each asks for.

    The middle of the accepted range, rounded down: 1 for a gold low item (1-2), 4 for
    a gold high item (4-5), N for an attention item asking for N. What a simulated
    rater answers.
    """
    rows = study.stimuli.filter(role__in=[Stimulus.Role.GOLD, Stimulus.Role.ATTENTION]).values_list(
        "id", "expected_low", "expected_high"
    )
    return {sid: ((low or 1) + (high or 5)) // 2 for sid, low, high in rows}


ROSTER_COLUMNS = [
    "rater",
    "external_source",
    "external_id",
    "completion_code",
    "consented_at",
    "finished_at",
    "rated",
    "rejection_reasons",
]


def rater_roster(*, study: Study) -> pd.DataFrame:
    """Every rater with what acceptance and payment need, by number (``ROSTER_COLUMNS``).

    ``rated``: the items the rater rated (gold and attention included: the work done);
    ``rejection_reasons``: the rules the rater broke when they finished (stored).
    """
    rated = dict(
        Rating.objects.filter(plan_item__rater__study=study)
        .values("plan_item__rater_id")
        .annotate(n=Count("id"))
        .values_list("plan_item__rater_id", "n")
        .order_by()
    )
    records = [
        {
            "rater": rater_label(r.number, r.external_source, r.external_id),
            "external_source": r.external_source,
            "external_id": r.external_id,
            "completion_code": r.completion_code,
            "consented_at": r.consented_at,
            "finished_at": r.finished_at,
            "rated": rated.get(r.pk, 0),
            "rejection_reasons": r.rejection_reasons,
        }
        for r in study.raters.order_by("number")
    ]
    return pd.DataFrame(records, columns=ROSTER_COLUMNS)


def reject_rules(*, study: Study) -> tuple[str, ...]:
    """The study's ``[quality] reject_if`` rules (empty without ``[quality]``)."""
    rules = quality.quality_of(study.config)
    return rules.reject_if if rules is not None else ()


def ratings_version(*, study: Study) -> tuple[int, int]:
    """(number of ratings, highest rating id): changes whenever a rating is added."""
    found = Rating.objects.filter(plan_item__rater__study=study).aggregate(
        n=Count("id"), last=Max("id")
    )
    return found["n"], found["last"] or 0


def method_labels(*, keys: Iterable[str]) -> dict[str, str]:
    """Catalog label of each method key (the key itself when no Method row has it)."""
    keys = list(keys)
    found = dict(Method.objects.filter(key__in=keys).values_list("key", "label"))
    return {key: found.get(key, key) for key in keys}


def arm_metrics(*, study: Study) -> pd.DataFrame:
    """Mean PSNR, SSIM and daala SSIM of each (dataset, method) arm over its images.

    From the catalog's Output rows of the study's rating stimuli. A mean is given only
    when every image of the arm has the metric (NaN otherwise: a mean over some images
    would not be the arm's). The HR reference (method kind ``reference``) is
    ``inf`` / 1 / 1 by definition, as in the paper's tables. Columns ``dataset,
    method, images, psnr, ssim, ssim_daala``.
    """
    rows = (
        study.stimuli.filter(role=Stimulus.Role.RATING)
        .values("output__image__dataset__name", "output__method__key", "output__method__kind")
        .annotate(
            images=Count("id"),
            psnr=Avg("output__psnr"),
            ssim=Avg("output__ssim"),
            ssim_daala=Avg("output__ssim_daala"),
            n_psnr=Count("output__psnr"),
            n_ssim=Count("output__ssim"),
            n_ssim_daala=Count("output__ssim_daala"),
        )
        .order_by()
    )
    records = []
    for row in rows:
        record = {
            "dataset": row["output__image__dataset__name"],
            "method": row["output__method__key"],
            "images": row["images"],
        }
        reference = row["output__method__kind"] == Method.Kind.REFERENCE
        for metric in ("psnr", "ssim", "ssim_daala"):
            if reference:
                record[metric] = np.inf if metric == "psnr" else 1.0
            elif row[f"n_{metric}"] == row["images"]:
                record[metric] = float(row[metric])
            else:
                record[metric] = np.nan
        records.append(record)
    return pd.DataFrame(
        records, columns=["dataset", "method", "images", "psnr", "ssim", "ssim_daala"]
    )


def dataset_scales(*, study: Study) -> dict[str, int]:
    """The catalog's upscaling factor of each dataset the study rates."""
    return dict(
        study.stimuli.filter(role=Stimulus.Role.RATING)
        .values_list("output__image__dataset__name", "output__image__dataset__scale")
        .distinct()
        .order_by()
    )


PROVENANCE_COLUMNS = ["dataset", "method", "kind", "origin", "images", "sources", "weights"]


def output_provenance(*, study: Study) -> pd.DataFrame:
    """Where each rated arm's outputs come from: published files imported, or made here.

    One row per (dataset, method, origin): ``kind`` is the method's (model, external,
    interpolation, reference), ``origin`` the catalog's (imported, generated,
    reference), ``sources`` the imported folders or generation records (``;``-joined),
    ``weights`` the checksums of the weights that generated them (``;``-joined).
    """
    rows = (
        study.stimuli.filter(role=Stimulus.Role.RATING)
        .values_list(
            "output__image__dataset__name",
            "output__method__key",
            "output__method__kind",
            "output__origin",
            "output__source",
            "output__weights_checksum",
        )
        .order_by()
    )
    groups: dict[tuple[str, str, str, str], list[tuple[str, str]]] = {}
    for dataset, method, kind, origin, source, weights in rows:
        groups.setdefault((dataset, method, kind, origin), []).append((source, weights))
    records = [
        (
            *key,
            len(found),
            ";".join(sorted({source for source, _ in found if source})),
            ";".join(sorted({weights for _, weights in found if weights})),
        )
        for key, found in sorted(groups.items())
    ]
    return pd.DataFrame.from_records(records, columns=PROVENANCE_COLUMNS)


def study_facts(*, study: Study) -> StudyFacts:
    """What the analysis pipeline needs of ``study`` besides its ratings (a few queries)."""
    metrics = arm_metrics(study=study)
    return StudyFacts(
        name=study.name,
        raters=raters_table(study=study),
        metrics=metrics,
        labels=method_labels(keys=metrics["method"].unique()),
        scales=dataset_scales(study=study),
        min_response_ms=min_response_ms(study=study),
        roster=rater_roster(study=study),
        checks=quality_checks(study=study),
        reject_if=reject_rules(study=study),
        provenance=output_provenance(study=study),
    )


def min_response_ms(*, study: Study) -> int:
    """The study's floor of a rater's median server-timed response (``[session]``)."""
    session = study.config.get("session") or {}
    return int(session.get("min_response_ms", DEFAULT_MIN_RESPONSE_MS))


class RaterBatchRow(TypedDict):
    kind: str
    raters: str  # the rater numbers as ranges, e.g. "1-2,4-28"
    created_at: datetime
    parameters: object  # the batch's JSON parameters


def rater_batches(*, study: Study) -> list[RaterBatchRow]:
    """The study's imported and simulated rater batches: kind, raters, created_at, parameters."""
    return [
        {
            "kind": batch.kind,
            "raters": batch.numbers or f"{batch.first_number}-{batch.last_number}",
            "created_at": batch.created_at,
            "parameters": batch.parameters,
        }
        for batch in RaterBatch.objects.filter(study=study).order_by("first_number")
    ]


# --------------------------------------------------------------------------- dashboard


class StudyOverviewRow(TypedDict):
    study: Study
    raters: int
    started: int
    finished: int
    simulated: int
    ratings: int


def studies_overview() -> list[StudyOverviewRow]:
    """Every study with its state and rater/rating counts (three grouped queries)."""
    studies = list(Study.objects.order_by("-created_at"))
    raters = {
        row["study_id"]: row
        for row in Rater.objects.values("study_id").annotate(
            invited=Count("id"),
            started=Count("id", filter=Q(started_at__isnull=False)),
            finished=Count("id", filter=Q(finished_at__isnull=False)),
            simulated=Count("id", filter=Q(simulated=True)),
        )
    }
    # Ratings or choices, whatever the study's kind.
    ratings = protocol_kinds.answers_by_study()
    overview: list[StudyOverviewRow] = []
    for study in studies:
        counts = raters.get(study.pk, {})
        overview.append(
            {
                "study": study,
                "raters": counts.get("invited", 0),
                "started": counts.get("started", 0),
                "finished": counts.get("finished", 0),
                "simulated": counts.get("simulated", 0),
                "ratings": ratings.get(study.pk, 0),
            }
        )
    return overview


class RaterProgressRow(TypedDict):
    rater: str
    number: int
    done: int
    total: int
    last_activity: datetime | None
    started: bool
    finished: bool
    simulated: bool
    imported: bool
    screening: NotRequired[str]  # the dashboard adds the screening's reasons


def rater_progress(*, study: Study) -> list[RaterProgressRow]:
    """Per rater: ``done`` of ``total`` rating items, last activity, flags; by number.

    ``done``/``total`` count rating items only (calibration is acknowledged, not
    rated). Last activity is the latest of the last submission and the last page view.
    """
    counts = {
        row["rater_id"]: row
        for row in PlanItem.objects.filter(rater__study=study, phase=PlanItem.Phase.RATING)
        .values("rater_id")
        .annotate(total=Count("id"), done=Count("rating"), last=Max("rating__submitted_at"))
        .order_by()
    }
    progress: list[RaterProgressRow] = []
    for rater in study.raters.order_by("number").only(
        "id",
        "number",
        "simulated",
        "external_source",
        "external_id",
        "started_at",
        "finished_at",
        "last_seen_at",
    ):
        row = counts.get(rater.pk, {})
        times = [t for t in (row.get("last"), rater.last_seen_at) if t is not None]
        progress.append(
            {
                "rater": rater_label(rater.number, rater.external_source, rater.external_id),
                "number": rater.number,
                "done": row.get("done", 0),
                "total": row.get("total", 0),
                "last_activity": max(times) if times else None,
                "started": rater.started_at is not None,
                "finished": rater.finished_at is not None,
                "simulated": rater.simulated,
                "imported": rater.external_source == IMPORTED_SOURCE,
            }
        )
    return progress


class GenerationJobRow(TypedDict):
    job: GenerationJob
    done: int  # done or skipped items
    failed: int
    pending: int
    total: int


def generation_jobs(*, study: Study) -> list[GenerationJobRow]:
    """Generation jobs for the study's (dataset, method) arms, newest first, item counts."""
    arms = set(
        study.stimuli.filter(role=Stimulus.Role.RATING)
        .values_list("output__image__dataset_id", "output__method_id")
        .distinct()
    )
    if not arms:
        return []
    datasets = {d for d, _ in arms}
    jobs = [
        job
        for job in GenerationJob.objects.filter(dataset_id__in=datasets).select_related(
            "dataset", "method"
        )
        if (job.dataset_id, job.method_id) in arms
    ]
    counts: dict[int, dict[str, int]] = {}
    for row in (
        GenerationItem.objects.filter(job__in=jobs)
        .values("job_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["job_id"], {})[row["status"]] = row["n"]
    out: list[GenerationJobRow] = []
    for job in jobs:
        by_status = counts.get(job.pk, {})
        out.append(
            {
                "job": job,
                "done": by_status.get(GenerationItem.Status.DONE, 0)
                + by_status.get(GenerationItem.Status.SKIPPED, 0),
                "failed": by_status.get(GenerationItem.Status.FAILED, 0),
                "pending": by_status.get(GenerationItem.Status.PENDING, 0),
                "total": sum(by_status.values()),
            }
        )
    return out
