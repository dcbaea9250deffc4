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
from typing import Any

import numpy as np
import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, Max, Q, QuerySet

from study.catalog.models import Method
from study.generation.models import GenerationItem, GenerationJob
from study.protocol.models import PlanItem, Rater, Stimulus, Study
from study.protocol.presets import ALL_12
from study.rating.models import Rating

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
    "submitted_at",
    "simulated",
]

# The paper's order of methods (Tables 1 and 2, the srgan2017 preset); methods it
# does not know follow, sorted.
PAPER_ORDER = ALL_12
# The paper's datasets, in its order (figure 5 shows BSD100, the tables Set5 first).
DATASET_ORDER = ["Set5", "Set14", "BSD100"]
# The dashboard's statistics are recomputed after a new rating; an idle entry expires.
LIVE_CACHE_SECONDS = 600


def method_order(methods: Iterable[str]) -> list[str]:
    """``methods`` in the paper's order, unknown ones after it, sorted."""
    present = set(methods)
    known = [m for m in PAPER_ORDER if m in present]
    return known + sorted(present - set(PAPER_ORDER))


def dataset_order(datasets: Iterable[str]) -> list[str]:
    """``datasets`` as the paper lists them (Set5, Set14, BSD100), others after, sorted."""
    present = set(datasets)
    known = [d for d in DATASET_ORDER if d in present]
    return known + sorted(present - set(DATASET_ORDER))


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
    position, calibration items included) are int64, ``response_ms`` is nullable
    Int64, ``submitted_at`` a UTC timestamp, ``simulated`` the rater's flag. Rows are
    ordered by rater number, then position. Calibration acknowledgements are not
    ratings and are not here.
    """
    query = (
        Rating.objects.filter(plan_item__rater__study=study)
        .order_by()
        .values_list(
            "plan_item__rater_id",
            "plan_item__stimulus_id",
            "score",
            "plan_item__repeat",
            "plan_item__position",
            "response_ms",
            "submitted_at",
        )
    )
    rows = fetch_rows(query)
    raw = pd.DataFrame.from_records(
        rows,
        columns=["rater_id", "stimulus_id", "score", "repeat", "position", "response_ms", "at"],
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
            "response_ms": pd.array(raw["response_ms"], dtype="Int64"),
            "submitted_at": _timestamps(raw["at"]),
            "simulated": raters["simulated"].to_numpy(bool)[r],
        }
    )
    order = np.lexsort((frame["position"].to_numpy(), raters["number"].to_numpy()[r]))
    return frame.iloc[order].reset_index(drop=True)


def fetch_rows(query: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` query as the driver returns them, in one round trip.

    Skips Django's per-row conversions (the reason to use it: 10^6 rows), so values
    are what the database returns: integers, text, and datetimes as text on SQLite.
    """
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _timestamps(values: pd.Series) -> pd.Series:
    """UTC timestamps from what the driver returned: datetimes (psycopg) or text (SQLite)."""
    if values.empty:
        return pd.Series(pd.to_datetime([], utc=True))
    if isinstance(values.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601").reset_index(drop=True)
    return pd.to_datetime(values, utc=True).reset_index(drop=True)


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


# --------------------------------------------------------------------------- dashboard


def studies_overview() -> list[dict[str, Any]]:
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
    ratings = dict(
        Rating.objects.values("plan_item__rater__study_id")
        .annotate(n=Count("id"))
        .values_list("plan_item__rater__study_id", "n")
    )
    overview = []
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


def rater_progress(*, study: Study) -> list[dict[str, Any]]:
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
    progress = []
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


def generation_jobs(*, study: Study) -> list[dict[str, Any]]:
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
    out = []
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


def live_summary(*, study: Study) -> dict[str, Any]:
    """MOS, Wilcoxon tests and rater screening of the ratings so far, for the dashboard.

    Cached per (study, number of ratings, last rating id), so polling the dashboard
    recomputes only after a new rating. Returns ``mos`` and ``wilcoxon`` (the tidy
    tables of ``stats``, in the paper's order), ``screening`` (rater -> reasons),
    ``datasets``, ``methods``, ``labels``, ``ratings`` and ``version`` (a cache key
    for anything derived from them); the tables are empty without ratings.
    """
    from study.analysis import stats

    version = ratings_version(study=study)
    key = f"analysis:live:{study.pk}:{version[0]}:{version[1]}"
    found = cache.get(key)
    if found is not None:
        return found
    frame = ratings_frame(study=study)
    summary: dict[str, Any] = {
        "version": key,
        "ratings": len(frame),
        "mos": pd.DataFrame(),
        "wilcoxon": pd.DataFrame(),
        "screening": {},
        "datasets": [],
        "methods": [],
        "labels": {},
    }
    if not frame.empty:
        datasets = dataset_order(frame["dataset"].unique())
        methods = method_order(frame["method"].unique())
        rank_d = {d: i for i, d in enumerate(datasets)}
        rank_m = {m: i for i, m in enumerate(methods)}
        mos = stats.mos(frame)
        mos = mos.iloc[
            np.lexsort((mos["method"].map(rank_m), mos["dataset"].map(rank_d)))
        ].reset_index(drop=True)
        ordered = frame.assign(method=pd.Categorical(frame["method"], categories=methods))
        wilcoxon = stats.wilcoxon_pairs(ordered)
        wilcoxon["method_a"] = wilcoxon["method_a"].astype(str)
        wilcoxon["method_b"] = wilcoxon["method_b"].astype(str)
        screen = stats.screen_raters(frame)
        summary.update(
            mos=mos,
            wilcoxon=wilcoxon,
            screening=dict(zip(screen["rater"], screen["reasons"], strict=True)),
            datasets=datasets,
            methods=methods,
            labels=method_labels(keys=methods),
        )
    cache.set(key, summary, timeout=LIVE_CACHE_SECONDS)
    return summary
