"""Reads of the catalog that other apps build on (study design, generation, dashboard)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from study.catalog.models import Dataset, Method, Output, SourceImage


def datasets_by_name(*, names: Iterable[str]) -> dict[str, Dataset]:
    return {dataset.name: dataset for dataset in Dataset.objects.filter(name__in=set(names))}


def dataset_names() -> list[str]:
    return list(Dataset.objects.order_by("name").values_list("name", flat=True))


def image_names(*, dataset: Dataset) -> list[tuple[int, str]]:
    """``(id, name)`` of a dataset's images, sorted by name (the canonical order)."""
    return list(dataset.images.order_by("name").values_list("id", "name"))


def image_counts(*, datasets: Iterable[Dataset]) -> dict[int, int]:
    """Number of images per dataset id."""
    rows = (
        SourceImage.objects.filter(dataset__in=list(datasets))
        .values("dataset_id")
        .annotate(n=Count("id"))
    )
    return {row["dataset_id"]: row["n"] for row in rows}


def method_keys() -> set[str]:
    return set(Method.objects.values_list("key", flat=True))


def output_index(*, datasets: Iterable[Dataset]) -> dict[tuple[int, str], int]:
    """``{(image id, method key): output id}`` for every output of the datasets (one query)."""
    rows = Output.objects.filter(image__dataset__in=list(datasets)).values_list(
        "image_id", "method__key", "id"
    )
    return {(image_id, key): output_id for image_id, key, output_id in rows}


def hr_files(*, image_ids: Iterable[int]) -> dict[int, str]:
    """The stored HR file name of each image id (what a study draws attention items on)."""
    return dict(SourceImage.objects.filter(pk__in=list(image_ids)).values_list("id", "hr"))


def images_by_id(*, image_ids: Iterable[int]) -> dict[int, SourceImage]:
    """Source images with their dataset, by id (the catalog's write path names files by both)."""
    found = SourceImage.objects.filter(pk__in=list(image_ids)).select_related("dataset")
    return {image.pk: image for image in found}
