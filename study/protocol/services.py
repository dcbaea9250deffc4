"""Writes of the protocol: building a study from its definition, raters, plans, lifecycle.

A study is built in one transaction from a validated ``StudyConfig``: everything
that depends on the catalog is checked first (``design_study``, which writes
nothing), then the Study, its Stimulus rows, its raters and their plans are
created. Once any rating exists the stimuli and existing plans are frozen: the
services here refuse to change them (``StudyLocked``); adding raters stays
possible because it changes no existing plan.

Raters no person invited are made here too (``add_raters(simulated=True)``,
``add_imported_raters``, with ``record_rater_batch`` keeping how); the ratings of
such raters are the rating app's (``rating.services.record_ratings``).

Lifecycle: draft -> open -> closed, and closed -> open again (a researcher may
reopen a study to collect more raters; ``opened_at`` keeps the first opening,
``closed_at`` is cleared). Only an open study accepts ratings.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from study.bulk import bulk_insert, create_rows
from study.catalog import methods as catalog_methods
from study.catalog import selectors as catalog_selectors
from study.catalog import services as catalog_services
from study.catalog.imaging import RenderedOutput
from study.catalog.models import Dataset
from study.catalog.storage import read_bytes
from study.protocol import kinds, quality, selectors
from study.protocol.config import (
    GOLD_HIGH_MIN,
    GOLD_LOW_MAX,
    MAX_RATERS,
    Arm,
    ConfigError,
    StudyConfig,
    config_from_dict,
)
from study.protocol.models import (
    IMPORTED_SOURCE,
    PlanItem,
    Rater,
    RaterBatch,
    Stimulus,
    Study,
)
from study.protocol.plans import PlanBuilder, PlanError, feasibility_problem
from study.srgan2017 import dataset_order, method_order

# Random streams of the study-level draws (rater streams are [seed, rater >= 1]).
CALIBRATION_STREAM = (0, 1)
RETEST_STREAM = (0, 2)
QUALITY_STREAM = (0, 3)
ATTENTION_SCORE_STREAM = (0, 4)
# Plan items sent to the database per statement (COPY or executemany).
PLAN_ROWS_PER_INSERT = 50_000
# How many image names an error lists before "...".
SHOW_NAMES = 5


class ProtocolError(ValueError):
    """A request the study's state does not allow; nothing was changed."""


class StudyLocked(ProtocolError):
    """The study has ratings: its stimuli and existing plans can no longer change."""


@dataclass
class StudyDesign:
    """A definition resolved against the catalog: the exact stimuli to create."""

    config: StudyConfig
    # (output id, retest) of every rating stimulus.
    rating: list[tuple[int, bool]] = field(default_factory=list)
    # (output id, anchor score) of every calibration stimulus, in presentation order.
    calibration: list[tuple[int, int]] = field(default_factory=list)
    # Output ids of the reference images two-image trials compare against (2afc-real: HR).
    reference: list[int] = field(default_factory=list)
    calibration_images: list[str] = field(default_factory=list)
    retest_images: list[str] = field(default_factory=list)
    dropped: dict[str, list[str]] = field(default_factory=dict)
    # Set when --allow-missing-methods dropped the retest method: no retest block then.
    retest_dropped: str = ""
    # [quality]: (output id, role, lowest, highest accepted score) of each gold item,
    # and the attention items to show, with the images they were drawn on.
    checks: list[tuple[int, str, int, int]] = field(default_factory=list)
    attention: list[AttentionItem] = field(default_factory=list)
    gold_images: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        notes = [
            f"dropped from the {dataset} arm (no outputs at all): {', '.join(keys)}"
            for dataset, keys in self.dropped.items()
        ]
        if self.retest_dropped:
            notes.append(self.retest_dropped)
        return notes

    def stored_config(self) -> dict[str, Any]:
        """What Study.config holds: the normalised definition plus ``resolved``.

        ``resolved`` records what the seed and the catalog decided, so the study can
        be audited and extended (invite_raters) without redrawing anything:
        ``calibration_images`` (in presentation order), ``retest_images`` and
        ``dropped_methods`` (dataset -> keys dropped by --allow-missing-methods).
        """
        data = self.config.to_dict()
        data["resolved"] = {
            "calibration_images": self.calibration_images,
            "retest_images": self.retest_images,
            "dropped_methods": self.dropped,
            "retest_dropped": self.retest_dropped,
        }
        if self.config.quality is not None:
            data["resolved"]["gold_images"] = self.gold_images
            data["resolved"]["attention_items"] = [
                {"image": item.image, "score": item.score} for item in self.attention
            ]
        return data


@dataclass
class AttentionItem:
    """An attention item: the photograph it is drawn on and the score it asks for.

    ``output_id`` is the catalog's ``attention-<score>`` output of that photograph when
    it exists already (another study made it); otherwise ``create_study`` renders it.
    """

    dataset: str
    image_id: int
    image: str
    score: int
    output_id: int | None = None


def study_stream(seed: int, stream: tuple[int, int]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), *stream]))


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:SHOW_NAMES])
    return shown + (", ..." if len(names) > SHOW_NAMES else "")


def _choose(names: list[str], count: int, seed: int, stream: tuple[int, int]) -> list[str]:
    """``count`` of ``names`` (sorted) drawn reproducibly from the study seed, in draw order."""
    picks = study_stream(seed, stream).choice(len(names), size=count, replace=False)
    return [names[int(i)] for i in picks]


def design_study(*, config: StudyConfig, allow_missing_methods: bool = False) -> StudyDesign:
    """Check a definition against the catalog and list the stimuli; writes nothing.

    Raises ``ConfigError`` listing every problem, each line naming its key: unknown
    datasets and methods, too few images, and the outputs missing for an arm
    (counted per dataset and method, with the first image names). With
    ``allow_missing_methods`` a method with no output at all in an arm's dataset
    is dropped from that arm (``StudyDesign.dropped`` says which) instead.
    """
    names = [arm.dataset for arm in config.arms]
    if config.calibration:
        names.append(config.calibration.dataset)
    if config.quality and config.quality.gold:
        names.append(config.quality.gold.dataset)
    datasets = catalog_selectors.datasets_by_name(names=names)
    _raise_if(_unknown_names(config, datasets))
    _raise_if(_too_few_images(config, datasets))

    catalog = _Catalog(
        index=catalog_selectors.output_index(datasets=datasets.values()),
        images={name: catalog_selectors.image_names(dataset=ds) for name, ds in datasets.items()},
    )
    design = StudyDesign(config=config)
    errors: list[str] = []
    arm_methods = _arm_methods(config, catalog, design, allow_missing_methods, errors)
    retest_pairs = _retest_pairs(config, catalog, design, arm_methods, errors)
    _calibration(config, catalog, design, errors)
    _reference(config, catalog, design, errors)
    _raise_if(errors)
    _quality(config, catalog, design, datasets)

    item_images: list[int] = []
    for arm in config.arms:
        for image_id, _name in catalog.images[arm.dataset]:
            for method in arm_methods[arm.dataset]:
                retested = (image_id, method) in retest_pairs
                design.rating.append((catalog.index[(image_id, method)], retested))
                item_images.extend([image_id, image_id] if retested else [image_id])
    # Two-image trials are ordered by their own plans, which pair different methods.
    problem = feasibility_problem(item_images) if config.pairwise is None else None
    if problem:
        raise ConfigError(f"arms: {problem}")
    return design


@dataclass(frozen=True)
class _Catalog:
    """What a design reads of the catalog: outputs by (image id, method), images by dataset."""

    index: dict[tuple[int, str], int]
    images: dict[str, list[tuple[int, str]]]


def _raise_if(errors: list[str]) -> None:
    if errors:
        raise ConfigError(errors)


def _unknown_names(config: StudyConfig, datasets: dict[str, Dataset]) -> list[str]:
    """The datasets the catalog lacks and the method names nobody knows, by key."""
    errors: list[str] = []
    known = catalog_selectors.method_keys()

    def check_dataset(key: str, name: str) -> None:
        if name not in datasets:
            listed = ", ".join(catalog_selectors.dataset_names()) or "none imported yet"
            errors.append(f"{key}: unknown dataset {name!r} (known: {listed})")

    def check_method(key: str, name: str) -> None:
        if name not in known and not catalog_methods.is_known_name(name):
            errors.append(f"{key}: unknown method {name!r}")

    for index, arm in enumerate(config.arms):
        check_dataset(f"arms[{index}].dataset", arm.dataset)
        for position, method in enumerate(arm.methods):
            check_method(f"arms[{index}].methods[{position}]", method)
    calibration = config.calibration
    if calibration:
        check_dataset("calibration.dataset", calibration.dataset)
        check_method("calibration.low.method", calibration.low.method)
        check_method("calibration.high.method", calibration.high.method)
    gold = config.quality.gold if config.quality else None
    if gold:
        check_dataset("quality.gold.dataset", gold.dataset)
        check_method("quality.gold.low", gold.low)
        check_method("quality.gold.high", gold.high)
    return errors


def _too_few_images(config: StudyConfig, datasets: dict[str, Dataset]) -> list[str]:
    """Calibration and retest blocks asking for more images than their dataset has."""
    errors: list[str] = []
    counts = catalog_selectors.image_counts(datasets=datasets.values())
    calibration, retest = config.calibration, config.retest
    for key, name, wanted in (
        ("calibration.images", calibration.dataset if calibration else None, calibration),
        ("retest.images", retest.dataset if retest else None, retest),
    ):
        if wanted is None:
            continue
        have = counts.get(datasets[name].id, 0)
        if wanted.images > have:
            errors.append(f"{key}: {wanted.images} images requested, {name} has {have}")
    return errors


def _arm_methods(
    config: StudyConfig,
    catalog: _Catalog,
    design: StudyDesign,
    allow_missing_methods: bool,
    errors: list[str],
) -> dict[str, list[str]]:
    """Each arm's methods that have every output; the others are dropped or an error."""
    arm_methods: dict[str, list[str]] = {}
    for number, arm in enumerate(config.arms):
        images = catalog.images[arm.dataset]
        kept: list[str] = []
        for position, method in enumerate(arm.methods):
            missing = [name for image_id, name in images if (image_id, method) not in catalog.index]
            if missing and len(missing) == len(images) and allow_missing_methods:
                design.dropped.setdefault(arm.dataset, []).append(method)
                continue
            if missing:
                errors.append(
                    f"arms[{number}].methods[{position}]: no {method} output for "
                    f"{len(missing)} of the {len(images)} {arm.dataset} images ({_names(missing)})"
                )
            kept.append(method)
        if not kept:
            errors.append(f"arms[{number}].methods: no method has outputs for {arm.dataset}")
        arm_methods[arm.dataset] = kept
    return arm_methods


def _retest_pairs(
    config: StudyConfig,
    catalog: _Catalog,
    design: StudyDesign,
    arm_methods: dict[str, list[str]],
    errors: list[str],
) -> set[tuple[int, str]]:
    """The (image id, method) pairs of the test-retest block, drawn from the study seed."""
    retest = config.retest
    if not retest:
        return set()
    if retest.method in design.dropped.get(retest.dataset, []):
        # The user allowed dropping methods without outputs; a retest block of a
        # dropped method cannot exist, so the study is built without one, and says so.
        design.retest_dropped = (
            f"retest block dropped: its method {retest.method!r} was dropped from the "
            f"{retest.dataset} arm (no outputs)"
        )
        return set()
    if retest.method not in arm_methods.get(retest.dataset, []):
        errors.append(
            f"retest.method: {retest.method!r} was dropped from the {retest.dataset} arm "
            "(it has no outputs)"
        )
        return set()
    ids = {name: image_id for image_id, name in catalog.images[retest.dataset]}
    design.retest_images = sorted(_choose(sorted(ids), retest.images, config.seed, RETEST_STREAM))
    return {(ids[name], retest.method) for name in design.retest_images}


def _calibration(
    config: StudyConfig, catalog: _Catalog, design: StudyDesign, errors: list[str]
) -> None:
    """Draw the calibration images and list their anchors' outputs in presentation order."""
    calibration = config.calibration
    if not calibration:
        return
    ids = {name: image_id for image_id, name in catalog.images[calibration.dataset]}
    chosen = _choose(sorted(ids), calibration.images, config.seed, CALIBRATION_STREAM)
    design.calibration_images = chosen
    _refuse_overlap(config, chosen, errors)
    anchors = (("low", calibration.low), ("high", calibration.high))
    for anchor_key, anchor in anchors:
        missing = [name for name in chosen if (ids[name], anchor.method) not in catalog.index]
        if missing:
            errors.append(
                f"calibration.{anchor_key}.method: no {anchor.method} output for "
                f"{len(missing)} of the {len(chosen)} chosen {calibration.dataset} images "
                f"({_names(missing)})"
            )
    if not errors:
        for name in chosen:
            for _key, anchor in anchors:
                design.calibration.append((catalog.index[(ids[name], anchor.method)], anchor.score))


def _refuse_overlap(config: StudyConfig, chosen: list[str], errors: list[str]) -> None:
    """Calibration images that a rated arm shows too (same dataset, so same image names).

    A photograph shown as "Example of score 5" and then rated anchors its own rating:
    the paper calibrates on BSD300 training images, which no arm rates. An arm rates
    every image of its dataset, so a calibration drawn from an arm's dataset overlaps
    it wholly; ``[calibration] allow_overlap = true`` allows it knowingly.
    """
    calibration = config.calibration
    if calibration is None or calibration.allow_overlap:
        return
    for number, arm in enumerate(config.arms):
        if arm.dataset == calibration.dataset:
            errors.append(
                f"calibration.dataset: {calibration.dataset!r} is also rated (arms[{number}]): "
                f"the calibration images {_names(sorted(chosen))} would be shown as examples "
                "of a score and then rated; calibrate on images no arm rates (the paper uses "
                "BSD300 training images) or set allow_overlap = true in [calibration]"
            )


def _reference(
    config: StudyConfig, catalog: _Catalog, design: StudyDesign, errors: list[str]
) -> None:
    """The reference output of every image of every arm (kinds that compare against one)."""
    method = config.reference_method
    if method is None:
        return
    for number, arm in enumerate(config.arms):
        images = catalog.images[arm.dataset]
        missing = [name for image_id, name in images if (image_id, method) not in catalog.index]
        if missing:
            errors.append(
                f"arms[{number}].dataset: no {method} output (the {config.kind} reference) for "
                f"{len(missing)} of the {len(images)} {arm.dataset} images ({_names(missing)})"
            )
            continue
        design.reference.extend(catalog.index[(image_id, method)] for image_id, _ in images)


def _quality(
    config: StudyConfig, catalog: _Catalog, design: StudyDesign, datasets: dict[str, Dataset]
) -> None:
    """Draw the gold and attention photographs of ``[quality]`` and list their stimuli.

    Both come from one dataset of the calibration role that no arm rates: the gold
    dataset, else (attention items only) the calibration dataset. Photographs shown as
    calibration examples are left out, and gold and attention items never share one.
    """
    wanted = config.quality
    if wanted is None or wanted.items == 0:
        return
    key, name = _quality_source(config, datasets)
    ids = {image: image_id for image_id, image in catalog.images[name]}
    pool = sorted(set(ids) - set(design.calibration_images))
    gold_count = wanted.gold.images if wanted.gold else 0
    if gold_count + wanted.attention > len(pool):
        raise ConfigError(
            f"{key}: {gold_count} gold and {wanted.attention} attention images requested, "
            f"{name} has {len(pool)} photographs that are not calibration examples"
        )
    chosen = _choose(pool, gold_count + wanted.attention, config.seed, QUALITY_STREAM)
    design.gold_images = sorted(chosen[:gold_count])
    if wanted.gold:
        errors: list[str] = []
        for anchor_key, method in (("low", wanted.gold.low), ("high", wanted.gold.high)):
            missing = [n for n in design.gold_images if (ids[n], method) not in catalog.index]
            if missing:
                errors.append(
                    f"quality.gold.{anchor_key}: no {method} output for {len(missing)} of the "
                    f"{gold_count} chosen {name} images ({_names(missing)})"
                )
        _raise_if(errors)
        for image in design.gold_images:
            low = catalog.index[(ids[image], wanted.gold.low)]
            high = catalog.index[(ids[image], wanted.gold.high)]
            design.checks.append((low, quality.GOLD, 1, GOLD_LOW_MAX))
            design.checks.append((high, quality.GOLD, GOLD_HIGH_MIN, 5))
    scores = study_stream(config.seed, ATTENTION_SCORE_STREAM).integers(1, 6, wanted.attention)
    for image, score in zip(sorted(chosen[gold_count:]), scores.tolist(), strict=True):
        method = quality.attention_method(score)
        design.attention.append(
            AttentionItem(
                dataset=name,
                image_id=ids[image],
                image=image,
                score=score,
                output_id=catalog.index.get((ids[image], method)),
            )
        )


def _quality_source(config: StudyConfig, datasets: dict[str, Dataset]) -> tuple[str, str]:
    """The key and name of the dataset ``[quality]`` draws its photographs from."""
    gold = config.quality.gold if config.quality else None
    if gold:
        key, name = "quality.gold.dataset", gold.dataset
    elif config.calibration:
        key, name = "quality.attention", config.calibration.dataset
    else:
        raise ConfigError(
            "quality.attention: attention items are drawn on photographs no arm rates: give "
            "[quality] gold = { dataset = ... } or a [calibration] block"
        )
    if datasets[name].role != Dataset.Role.CALIBRATION:
        raise ConfigError(
            f"{key}: {name!r} is a {datasets[name].role} dataset; quality items come from a "
            "calibration-role dataset (import_dataset --role calibration)"
        )
    for number, arm in enumerate(config.arms):
        if arm.dataset == name:
            raise ConfigError(
                f"{key}: {name!r} is rated (arms[{number}]): a quality item must never show a "
                "rated photograph"
            )
    return key, name


def render_attention_items(design: StudyDesign) -> dict[int, RenderedOutput]:
    """The attention images ``create_study`` must make, by index in ``design.attention``.

    Reads the photographs' HR files and draws on them; writes nothing. A file that
    cannot be read or decoded is a ``ConfigError`` naming the photograph.
    """
    missing = [i for i, item in enumerate(design.attention) if item.output_id is None]
    if not missing:
        return {}
    files = catalog_selectors.hr_files(image_ids=[design.attention[i].image_id for i in missing])
    rendered: dict[int, RenderedOutput] = {}
    for index in missing:
        item = design.attention[index]
        try:
            photograph = read_bytes(files[item.image_id])
            rendered[index] = quality.render_attention(photograph, score=item.score)
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"quality.attention: cannot draw on the HR image of {item.dataset}/{item.image} "
                f"({exc})"
            ) from None
    return rendered


def _quality_stimuli(
    study: Study, design: StudyDesign, rendered: Mapping[int, RenderedOutput]
) -> list[Stimulus]:
    """Gold and attention Stimulus rows; the attention images rendered are stored first."""
    stimuli = [
        Stimulus(study=study, output_id=output_id, role=role, expected_low=low, expected_high=high)
        for output_id, role, low, high in design.checks
    ]
    images = catalog_selectors.images_by_id(
        image_ids=[design.attention[i].image_id for i in rendered]
    )
    for index, item in enumerate(design.attention):
        if index in rendered:
            method = quality.attention_method(item.score)
            item.output_id = catalog_services.store_output(
                image=images[item.image_id],
                method_key=method,
                rendered=rendered[index],
                origin="generated",
                source="attention item drawn by study.protocol.quality",
                previous=None,
                label=f"Attention check ({item.score})",
            ).pk
        stimuli.append(
            Stimulus(
                study=study,
                output_id=item.output_id,
                role=Stimulus.Role.ATTENTION,
                expected_low=item.score,
                expected_high=item.score,
            )
        )
    return stimuli


# Study names become file and folder names (exports, zip entries) and URL parts.
STUDY_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def check_study_name(name: str) -> str:
    """``name`` without surrounding spaces, or ConfigError: a slug of 1 to 100 characters."""
    name = name.strip()
    if not STUDY_NAME.fullmatch(name):
        raise ConfigError(
            f"name: {name!r} is not a study name; use 1 to 100 letters, digits, '-' or '_'"
        )
    return name


def create_study(
    *,
    name: str,
    config: StudyConfig,
    source: str = "",
    allow_missing_methods: bool = False,
) -> tuple[Study, StudyDesign]:
    """Build a study (draft) with its stimuli, ``config.raters`` raters and their plans."""
    name = check_study_name(name)
    if Study.objects.filter(name=name).exists():
        raise ConfigError(f"name: a study named {name!r} already exists")
    design = design_study(config=config, allow_missing_methods=allow_missing_methods)
    rendered = render_attention_items(design)
    with transaction.atomic():
        study = Study.objects.create(
            name=name,
            title=config.title,
            config=design.stored_config(),
            config_source=source,
            seed=config.seed,
            completion_redirect_url=config.completion_redirect_url,
            items_per_sitting=config.session.items_per_sitting,
            break_minutes=config.session.break_minutes,
        )
        stimuli = [
            Stimulus(study=study, output_id=output_id, role=Stimulus.Role.RATING, retest=retest)
            for output_id, retest in design.rating
        ]
        stimuli += [
            Stimulus(
                study=study,
                output_id=output_id,
                role=Stimulus.Role.CALIBRATION,
                anchor_score=score,
            )
            for output_id, score in design.calibration
        ]
        stimuli += [
            Stimulus(study=study, output_id=output_id, role=Stimulus.Role.REFERENCE)
            for output_id in design.reference
        ]
        stimuli += _quality_stimuli(study, design, rendered)
        Stimulus.objects.bulk_create(stimuli, batch_size=2000)
        _add_raters(study, config.raters)
    return study, design


def definition(*, study: Study) -> StudyConfig:
    """The study's validated definition, as stored."""
    data = {key: value for key, value in study.config.items() if key != "resolved"}
    return config_from_dict(data)


def _plan_builder(study: Study) -> PlanBuilder:
    return PlanBuilder(selectors.plan_stimuli(study=study))


def _add_raters(
    study: Study, count: int, *, simulated: bool = False, source: str = ""
) -> list[Rater]:
    first = (selectors.last_rater_number(study=study) or 0) + 1
    raters = create_rows(
        Rater,
        [
            Rater(study=study, number=first + i, simulated=simulated, external_source=source)
            for i in range(count)
        ],
        read_back=study.raters.filter(number__gte=first).order_by("number"),
    )
    kinds.of(study).write_plans(study, raters)
    return raters


def write_acr_plans(study: Study, raters: Iterable[Rater]) -> None:
    """Build and insert ACR plans (PlanItem rows), many raters per statement (~50,000 rows)."""
    builder = _plan_builder(study)
    rows: list[tuple[int, int, str, int, int]] = []
    for rater in raters:
        rater_id = rater.pk
        rows.extend(
            (rater_id, position, phase, stimulus, repeat)
            for position, (stimulus, phase, repeat) in enumerate(
                builder.rows(seed=study.seed, rater=rater.number)
            )
        )
        if len(rows) >= PLAN_ROWS_PER_INSERT:
            insert_plan_rows(rows)
            rows = []
    insert_plan_rows(rows)


def insert_plan_rows(rows: list[tuple[int, int, str, int, int]]) -> None:
    """Insert PlanItem rows ``(rater id, position, phase, stimulus id, repeat)`` in bulk."""
    bulk_insert(PlanItem, ("rater", "position", "phase", "stimulus", "repeat"), rows)


def ensure_design_mutable(*, study: Study) -> None:
    """Refuse (``StudyLocked``) once any rating of the study exists."""
    if kinds.of(study).has_responses(study):
        raise StudyLocked(
            f"study {study.name!r} has ratings: its stimuli and plans can no longer change"
        )


def add_raters(
    *, study: Study, count: int, simulated: bool = False, source: str = ""
) -> list[Rater]:
    """Invite ``count`` more raters, each with a new plan; allowed while draft or open.

    ``simulated`` raters get ``source`` (``SIMULATED_SOURCE``) as their external source.
    """
    if not 1 <= count <= MAX_RATERS:
        raise ProtocolError(f"count: 1 to {MAX_RATERS}, got {count}")
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if study.state == Study.State.CLOSED:
            raise ProtocolError(f"study {study.name!r} is closed; reopen it to add raters")
        return _add_raters(study, count, simulated=simulated, source=source)


def fill_places(*, study: Study, count: int, source: str) -> list[Rater]:
    """``count`` simulated raters: the study's unopened places first, then new raters.

    A place (``selectors.unopened_raters``) is a rater whose link nobody opened; it is
    marked ``simulated`` with ``source`` and keeps its number and plan. Only when no
    place is left are raters added (``add_raters``). Under the study's row lock; a
    place whose link is opened meanwhile (the consent locks the rater) is not taken.
    Returns the raters by number; their ratings are the rating app's to record.
    """
    if not 1 <= count <= MAX_RATERS:
        raise ProtocolError(f"count: 1 to {MAX_RATERS}, got {count}")
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if study.state == Study.State.CLOSED:
            raise ProtocolError(f"study {study.name!r} is closed; reopen it to add raters")
        places = [rater.pk for rater in selectors.unopened_raters(study=study)][:count]
        taken = list(
            Rater.objects.select_for_update()
            .filter(pk__in=places, consented_at__isnull=True, position=0, external_id="")
            .order_by("number")
        )
        Rater.objects.filter(pk__in=[rater.pk for rater in taken]).update(
            simulated=True, external_source=source
        )
        for rater in taken:
            rater.simulated, rater.external_source = True, source
        added = []
        if count > len(taken):
            added = _add_raters(study, count - len(taken), simulated=True, source=source)
    return taken + added


def number_ranges(numbers: Iterable[int]) -> str:
    """Rater numbers as ranges: ``[1, 2, 4, 5, 6, 9]`` -> ``"1-2,4-6,9"``."""
    ranges: list[list[int]] = []
    for number in sorted(set(numbers)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ",".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)


# --- raters no person invited: imported ratings, simulated panels -------------------


def create_imported_study(
    *,
    name: str,
    title: str,
    arms: Mapping[str, Iterable[str]],
    raters: int,
    provenance: dict[str, Any],
    stimuli: Sequence[tuple[int, bool]],
) -> Study:
    """A closed study for ratings made elsewhere: its rating stimuli, no plans yet.

    ``arms`` maps each dataset to its methods (stored in the paper's order),
    ``stimuli`` lists ``(output id, retest)`` in creation order, ``provenance`` (the
    file, its checksum, its rows) is kept as ``config.resolved.imported``. Nobody
    rates such a study here: it is created closed.
    """
    config = StudyConfig(
        seed=0,
        raters=raters,
        arms=tuple(
            Arm(dataset=dataset, methods=tuple(method_order(arms[dataset])))
            for dataset in dataset_order(arms)
        ),
        title=title[:200],
    ).to_dict()
    config["resolved"] = {"imported": provenance}
    now = timezone.now()
    with transaction.atomic():
        study = Study.objects.create(
            name=name,
            title=config["title"],
            config=config,
            seed=0,
            state=Study.State.CLOSED,
            closed_at=now,
        )
        Stimulus.objects.bulk_create(
            [
                Stimulus(study=study, output_id=output_id, role=Stimulus.Role.RATING, retest=retest)
                for output_id, retest in stimuli
            ],
            batch_size=1000,
        )
    return study


def add_imported_raters(
    *, study: Study, plans: Mapping[str, Sequence[tuple[int, int, int]]]
) -> list[Rater]:
    """Raters named by a ratings file, numbered after the study's last, with their plans.

    ``plans`` maps each rater's name (``external_id``; ``external_source`` is
    ``IMPORTED_SOURCE``) to ``(position, stimulus id, repeat)`` rating items. Their
    progress (position, finished) is the rating app's: ``record_ratings`` sets it.
    """
    first = (selectors.last_rater_number(study=study) or 0) + 1
    raters = create_rows(
        Rater,
        [
            Rater(
                study=study,
                number=first + offset,
                simulated=False,
                external_id=name,
                external_source=IMPORTED_SOURCE,
            )
            for offset, name in enumerate(plans)
        ],
        read_back=study.raters.filter(number__gte=first).order_by("number"),
    )
    rows = [
        (rater.pk, position, PlanItem.Phase.RATING, stimulus, repeat)
        for rater, items in zip(raters, plans.values(), strict=True)
        for position, stimulus, repeat in items
    ]
    insert_plan_rows(rows)
    return raters


def record_rater_batch(
    *, study: Study, kind: str, numbers: Sequence[int], parameters: dict[str, Any]
) -> RaterBatch:
    """Keep how the raters ``numbers`` were made (a simulation's seed, an imported file)."""
    return RaterBatch.objects.create(
        study=study,
        kind=kind,
        first_number=min(numbers),
        last_number=max(numbers),
        numbers=number_ranges(numbers),
        parameters=parameters,
    )


def rebuild_plans(*, study: Study) -> None:
    """Rebuild every rater's plan from the stimuli and seed (before any rating only)."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        ensure_design_mutable(study=study)
        kind = kinds.of(study)
        kind.delete_plans(study)
        kind.write_plans(study, study.raters.order_by("number"))


def open_study(*, study: Study) -> Study:
    """draft -> open, or closed -> open (reopening). A study needs raters and stimuli."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if study.state == Study.State.OPEN:
            raise ProtocolError(f"study {study.name!r} is already open")
        if not study.stimuli.exists() or not study.raters.exists():
            raise ProtocolError(f"study {study.name!r} has no stimuli or no raters")
        study.state = Study.State.OPEN
        study.opened_at = study.opened_at or timezone.now()
        study.closed_at = None
        study.save(update_fields=["state", "opened_at", "closed_at"])
    return study


def close_study(*, study: Study) -> Study:
    """open -> closed: no more ratings are accepted."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study.pk)
        if study.state != Study.State.OPEN:
            raise ProtocolError(f"study {study.name!r} is {study.state}; only an open study closes")
        study.state = Study.State.CLOSED
        study.closed_at = timezone.now()
        study.save(update_fields=["state", "closed_at"])
    return study


def rater_url(rater: Rater) -> str:
    """The invitation link of a rater: ``SITE_URL/r/<token>/`` (``/c/`` for two-image kinds)."""
    return f"{settings.SITE_URL}/{kinds.of(rater.study).rater_prefix}/{rater.token}/"


def write_rater_links(raters: Iterable[Rater], out: TextIO) -> int:
    """CSV ``rater,url`` for the given raters; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rater", "url"])
    count = 0
    for rater in raters:
        writer.writerow([rater.number, rater_url(rater)])
        count += 1
    return count


def study_counts(*, study: Study) -> dict[str, Any]:
    """Numbers for a command's summary line."""
    per_role: dict[str, int] = defaultdict(int)
    for role, retest in study.stimuli.values_list("role", "retest"):
        per_role[role] += 1
        per_role["retest"] += int(retest)
    return {
        "rating": per_role["rating"],
        "calibration": per_role["calibration"],
        "retest": per_role["retest"],
        "gold": per_role["gold"],
        "attention": per_role["attention"],
        "raters": study.raters.count(),
    }


__all__ = [
    "ConfigError",
    "PlanError",
    "ProtocolError",
    "StudyDesign",
    "StudyLocked",
    "add_imported_raters",
    "add_raters",
    "close_study",
    "create_imported_study",
    "create_study",
    "design_study",
    "fill_places",
    "open_study",
    "rebuild_plans",
    "record_rater_batch",
]


def _delete_acr_plans(study: Study) -> None:
    PlanItem.objects.filter(rater__study=study).delete()


kinds.register(
    kinds.StudyKind(
        name="acr",
        rater_prefix="r",
        write_plans=write_acr_plans,
        delete_plans=_delete_acr_plans,
        has_responses=lambda study: selectors.has_ratings(study=study),
        output_has_responses=lambda output_id: selectors.acr_output_has_ratings(
            output_id=output_id
        ),
        answers_by_study=selectors.ratings_by_study,
        presentations=lambda rater, positions: selectors.acr_presentations(
            rater=rater, positions=positions
        ),
    )
)
