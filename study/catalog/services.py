"""Writes to the catalog: datasets and their images, methods, and outputs.

Every image is one unit: its files are written complete under temporary names,
its rows are created in one transaction, and the files are moved into place as
the last step of that transaction (see ``storage.StagedGroup``). A failing image
is reported by name and leaves neither rows nor files; the others go on.
Pixel work (decoding, resizing, metrics, PNG encoding) runs in ``imaging``,
in a process pool when there are enough images for it to pay.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.db import transaction

from study.catalog import imaging, methods
from study.catalog.models import Dataset, Method, Output, SourceImage
from study.catalog.storage import (
    StagedGroup,
    dataset_image_path,
    output_path,
    read_bytes,
    sha256,
)
from study.protocol.selectors import output_has_ratings

# Dataset and image names become folder and file names in storage.
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
_PLACEHOLDER = "{name}"
GENERATED_ON_IMPORT = ("nearest", "bicubic")


class CatalogError(ValueError):
    """Bad input for an import (unknown dataset, bad pattern, ...): nothing was written."""


class Progress(Protocol):
    def update(self, n: int = 1) -> Any: ...

    def close(self) -> Any: ...


ProgressFactory = Callable[[int], Progress]


@dataclass
class ImportReport:
    """What an import did, image by image, for the command's summary and exit status."""

    dataset: str
    method: str | None = None
    imported: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def nothing_done(self) -> bool:
        """No image is imported, replaced or already present: the command should fail."""
        return not (self.imported or self.replaced or self.unchanged)

    def summary(self) -> str:
        what = f"{self.dataset}/{self.method}" if self.method else self.dataset
        parts = [
            f"{len(self.imported)} imported",
            f"{len(self.replaced)} replaced",
            f"{len(self.unchanged)} unchanged",
            f"{len(self.failed)} failed",
        ]
        if self.method:
            parts += [f"{len(self.missing)} missing", f"{len(self.extra)} extra"]
        return f"{what}: " + ", ".join(parts)


# --- methods ----------------------------------------------------------------


def ensure_method(*, key: str, label: str | None = None) -> Method:
    """The Method row for ``key``, created on first use with its registry label and kind.

    Registry keys become interpolation / model methods labelled as in srmodels,
    ``hr`` the HR reference, any other name an external method (e.g. ``selfexsr``,
    "SelfExSR"). ``label`` names an external method; for the others it must agree
    with the registry, because every table of the paper depends on those labels.
    """
    info = methods.describe(key)
    if label is not None:
        label = label.strip()
        if not label or len(label) > 64:
            raise CatalogError(f"label {label!r} for method {info.key!r}: 1 to 64 characters")
        if not info.is_external and label != info.label:
            raise CatalogError(
                f"method {info.key!r} is labelled {info.label!r} by the registry; "
                f"--label {label!r} applies only to external methods"
            )
    wanted = {"label": label or info.label, "kind": info.kind}
    method, created = Method.objects.get_or_create(key=info.key, defaults=wanted)
    if not created:
        # An external method keeps its label unless a new one is given; registry
        # methods and HR always follow the registry.
        if info.is_external and label is None:
            wanted["label"] = method.label
        changed = [name for name, value in wanted.items() if getattr(method, name) != value]
        if changed:
            for name in changed:
                setattr(method, name, wanted[name])
            method.save(update_fields=changed)
    return method


# --- files ------------------------------------------------------------------


def _check_name(kind: str, value: str) -> str:
    if not _NAME_RE.match(value):
        raise CatalogError(
            f"{kind} name {value!r}: use letters, digits, '.', '_', '+', '-' "
            "(it becomes a folder or file name in storage)"
        )
    return value


def pattern_regex(pattern: str, *, option: str = "--pattern") -> re.Pattern[str]:
    """A regex for file names matching ``pattern``, whose ``{name}`` is captured."""
    if pattern.count(_PLACEHOLDER) != 1 or "/" in pattern:
        raise CatalogError(
            f"{option} {pattern!r} must contain {_PLACEHOLDER} exactly once and no '/'"
        )
    before, after = pattern.split(_PLACEHOLDER)
    return re.compile(re.escape(before) + r"(?P<name>.+?)" + re.escape(after) + r"\Z")


def match_files(directory: Path, pattern: str, *, option: str = "--pattern") -> dict[str, Path]:
    """``{name: path}`` for the files of ``directory`` (not sub-folders) matching ``pattern``."""
    regex = pattern_regex(pattern, option=option)
    found: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        match = regex.match(path.name)
        if match and path.is_file():
            found[match.group("name")] = path
    return found


def read_rename_csv(path: str | Path) -> dict[str, str]:
    """``{from: to}`` from a CSV with columns ``from,to``; bad rows are named by line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the rename CSV ({exc.strerror or exc})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or not {"from", "to"} <= set(reader.fieldnames):
        raise CatalogError(f"{path}: the rename CSV needs a header with columns 'from,to'")
    mapping: dict[str, str] = {}
    targets: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        source, target = (row.get("from") or "").strip(), (row.get("to") or "").strip()
        if not source or not target:
            raise CatalogError(f"{path}, line {line}: 'from' and 'to' must both be given")
        if source in mapping:
            raise CatalogError(f"{path}, line {line}: {source!r} is renamed twice")
        if target in targets:
            raise CatalogError(
                f"{path}, line {line}: {source!r} and {targets[target]!r} both map to {target!r}"
            )
        mapping[source] = target
        targets[target] = source
    return mapping


# --- import_dataset -----------------------------------------------------------


def _results(
    function: Callable[[Any], Any], tasks: list[Any], workers: int | None
) -> Iterator[Any]:
    """``function`` over ``tasks`` in order, in a process pool when it pays."""
    executor: Executor | None = imaging.make_executor(len(tasks), workers)
    if executor is None:
        yield from map(function, tasks)
        return
    with executor:
        yield from executor.map(function, tasks, chunksize=1)


def _stored_bytes(name: str) -> bytes | None:
    """A stored file's bytes, or None when it cannot be read (the worker then says so)."""
    try:
        return read_bytes(name)
    except OSError:
        return None


def _progress(factory: ProgressFactory | None, total: int) -> Progress | None:
    return factory(total) if factory is not None else None


def import_dataset(
    *,
    name: str,
    directory: str | Path,
    scale: int,
    pattern: str = "{name}.png",
    lr_pattern: str | None = None,
    role: str = Dataset.Role.TEST,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
) -> ImportReport:
    """Import a folder of HR images (mod-cropped), their LR inputs and the cheap outputs.

    LR images come from ``lr_pattern`` files (their size must be HR / scale) or are
    made with srmodels' MATLAB bicubic. ``nearest`` and ``bicubic`` outputs are made
    from the LR image, and the HR image is registered as the ``hr`` output, all with
    their metrics. Re-importing the same folder changes nothing: images whose stored
    HR checksum matches are skipped; an image whose pixels changed is an error.
    """
    _check_name("dataset", name)
    directory = Path(directory)
    if not directory.is_dir():
        raise CatalogError(f"{directory}: no such folder")
    if not 1 <= int(scale) <= 16:
        raise CatalogError(f"--scale {scale}: must be between 1 and 16")
    if role not in Dataset.Role.values:
        raise CatalogError(f"--role {role!r}: one of {', '.join(Dataset.Role.values)}")
    hr_files = match_files(directory, pattern)
    lr_files: dict[str, Path] = {}
    if lr_pattern is not None:
        lr_files = match_files(directory, lr_pattern, option="--lr-pattern")
        # A loose HR pattern (e.g. '{name}.png') also matches the LR files: drop them.
        lr_paths = set(lr_files.values())
        hr_files = {key: path for key, path in hr_files.items() if path not in lr_paths}
    if not hr_files:
        raise CatalogError(f"{directory}: no file matches --pattern {pattern!r}")

    dataset = Dataset.objects.filter(name=name).first()
    if dataset is not None and (dataset.scale != scale or dataset.role != role):
        raise CatalogError(
            f"dataset {name!r} exists with scale {dataset.scale} and role {dataset.role!r}; "
            f"this import asks for scale {scale} and role {role!r}"
        )
    report = ImportReport(dataset=name)
    existing: dict[str, SourceImage] = {}
    present: dict[str, set[str]] = {}
    if dataset is not None:
        existing = {image.name: image for image in dataset.images.all()}
        for image_name, key in Output.objects.filter(image__dataset=dataset).values_list(
            "image__name", "method__key"
        ):
            present.setdefault(image_name, set()).add(key)

    tasks: list[imaging.SourceTask] = []
    for image_name, path in hr_files.items():
        try:
            _check_name("image", image_name)
        except CatalogError as exc:
            report.failed.append((image_name, f"{path}: {exc}"))
            continue
        lr_path = None
        if lr_pattern is not None:
            lr_path = lr_files.get(image_name)
            if lr_path is None:
                expected = directory / lr_pattern.replace(_PLACEHOLDER, image_name)
                report.failed.append((image_name, f"{expected}: no LR file for this image"))
                continue
        known = existing.get(image_name)
        have = present.get(image_name, set())
        tasks.append(
            imaging.SourceTask(
                name=image_name,
                hr_path=str(path),
                lr_path=str(lr_path) if lr_path else None,
                scale=int(scale),
                known_checksum=known.checksum if known else None,
                known_png=_stored_bytes(known.hr.name) if known else None,
                outputs=tuple(key for key in GENERATED_ON_IMPORT if key not in have),
            )
        )

    method_rows = {key: ensure_method(key=key) for key in (*GENERATED_ON_IMPORT, methods.HR_KEY)}
    source_dir = str(directory.resolve())
    bar = _progress(progress, len(tasks))
    try:
        for result in _results(imaging.prepare_source, tasks, workers):
            if result.error:
                report.failed.append((result.name, result.error))
            elif (
                result.unchanged
                and not result.outputs
                and methods.HR_KEY in present.get(result.name, set())
            ):
                report.unchanged.append(result.name)
            else:
                try:
                    _store_source(
                        name=name,
                        scale=int(scale),
                        role=role,
                        source_dir=source_dir,
                        result=result,
                        image=existing.get(result.name),
                        method_rows=method_rows,
                        has_hr_output=methods.HR_KEY in present.get(result.name, set()),
                    )
                except Exception as exc:
                    report.failed.append((result.name, f"could not store: {exc}"))
                else:
                    target = report.unchanged if result.name in existing else report.imported
                    target.append(result.name)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return report


def _store_source(
    *,
    name: str,
    scale: int,
    role: str,
    source_dir: str,
    result: imaging.SourceResult,
    image: SourceImage | None,
    method_rows: dict[str, Method],
    has_hr_output: bool,
) -> None:
    with StagedGroup() as files:
        hr_name = dataset_image_path(name, "hr", result.name)
        lr_name = dataset_image_path(name, "lr", result.name)
        if image is None:
            files.add(hr_name, result.hr_png)
            files.add(lr_name, result.lr_png)
        staged_outputs = {
            key: files.add(output_path(name, key, result.name), rendered.png)
            for key, rendered in result.outputs.items()
        }
        with transaction.atomic():
            dataset, _ = Dataset.objects.get_or_create(
                name=name, defaults={"scale": scale, "role": role, "source_dir": source_dir}
            )
            if image is None:
                image = SourceImage.objects.create(
                    dataset=dataset,
                    name=result.name,
                    hr=hr_name,
                    lr=lr_name,
                    width=result.width,
                    height=result.height,
                    lr_width=result.lr_width,
                    lr_height=result.lr_height,
                    checksum=result.checksum,
                )
            rows = [
                Output(
                    image=image,
                    method=method_rows[key],
                    file=staged_outputs[key].name,
                    width=rendered.width,
                    height=rendered.height,
                    psnr=rendered.psnr,
                    ssim=rendered.ssim,
                    ssim_daala=rendered.ssim_daala,
                    origin=Output.Origin.GENERATED,
                    source=f"import_dataset {source_dir}",
                    checksum=rendered.checksum,
                )
                for key, rendered in result.outputs.items()
            ]
            if not has_hr_output:
                rows.append(
                    Output(
                        image=image,
                        method=method_rows[methods.HR_KEY],
                        file=image.hr.name,
                        width=image.width,
                        height=image.height,
                        origin=Output.Origin.REFERENCE,
                        source=source_dir,
                        checksum=image.checksum,
                    )
                )
            Output.objects.bulk_create(rows)
            files.publish()


# --- import_outputs -----------------------------------------------------------


def import_outputs(
    *,
    dataset: str,
    method: str,
    directory: str | Path,
    pattern: str,
    rename: dict[str, str] | None = None,
    label: str | None = None,
    replace: bool = False,
    workers: int | None = None,
    progress: ProgressFactory | None = None,
) -> ImportReport:
    """Import a method's published outputs for a dataset, measured against the stored HR.

    File names are matched with ``pattern`` (``{name}`` is the image name, after
    ``rename``). Files whose name is not an image of the dataset are listed as
    extra, images without a file as missing, files of the wrong size fail by name.
    An existing output is kept unless ``replace`` is true, and never replaced once
    a study has ratings of it.
    """
    dataset_row = Dataset.objects.filter(name=dataset).first()
    if dataset_row is None:
        raise CatalogError(f"unknown dataset {dataset!r}: import it first with import_dataset")
    try:
        info = methods.describe(method)
    except methods.MethodKeyError as exc:
        raise CatalogError(str(exc)) from None
    if info.key == methods.HR_KEY:
        raise CatalogError("method 'hr' is the dataset's own HR image; it cannot be imported")
    if label is not None and not info.is_external and label.strip() != info.label:
        raise CatalogError(
            f"method {info.key!r} is labelled {info.label!r} by the registry; "
            f"--label {label!r} applies only to external methods"
        )
    directory = Path(directory)
    if not directory.is_dir():
        raise CatalogError(f"{directory}: no such folder")
    files = match_files(directory, pattern)
    if not files:
        raise CatalogError(f"{directory}: no file matches --pattern {pattern!r}")

    report = ImportReport(dataset=dataset, method=info.key)
    by_image: dict[str, Path] = {}
    for file_name, path in files.items():
        image_name = (rename or {}).get(file_name, file_name)
        if image_name in by_image:
            report.failed.append(
                (image_name, f"{by_image[image_name]} and {path} are both image {image_name!r}")
            )
            continue
        by_image[image_name] = path
    images = {image.name: image for image in dataset_row.images.all()}
    report.extra = sorted(str(by_image[n].name) for n in by_image if n not in images)
    report.missing = sorted(n for n in images if n not in by_image)
    current = {
        output.image_id: output
        for output in Output.objects.filter(image__dataset=dataset_row, method__key=info.key)
    }

    tasks: list[imaging.OutputTask] = []
    for image_name in sorted(set(by_image) & set(images)):
        image = images[image_name]
        if image.id in current and not replace:
            report.unchanged.append(image_name)
            continue
        tasks.append(
            imaging.OutputTask(
                name=image_name,
                path=str(by_image[image_name]),
                hr_png=read_bytes(image.hr.name),
                scale=dataset_row.scale,
            )
        )
    source = str(directory.resolve())
    bar = _progress(progress, len(tasks))
    try:
        for result in _results(imaging.prepare_output, tasks, workers):
            image = images[result.name]
            previous = current.get(image.id)
            if result.error:
                report.failed.append((result.name, result.error))
            elif previous is not None and previous.checksum == result.output.checksum:
                report.unchanged.append(result.name)
            else:
                try:
                    _store_output(
                        image=image,
                        method_key=info.key,
                        label=label,
                        rendered=result.output,
                        origin=Output.Origin.IMPORTED,
                        source=source,
                        previous=previous,
                    )
                except Exception as exc:
                    report.failed.append((result.name, f"{result.path}: {exc}"))
                else:
                    (report.replaced if previous else report.imported).append(result.name)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return report


def _store_output(
    *,
    image: SourceImage,
    method_key: str,
    label: str | None,
    rendered: imaging.RenderedOutput,
    origin: str,
    source: str,
    previous: Output | None,
    weights_checksum: str = "",
) -> Output:
    if previous is not None and output_has_ratings(output_id=previous.pk):
        raise CatalogError(
            f"the {method_key} output of {image} has ratings in a study; it cannot be replaced"
        )
    with StagedGroup() as files:
        staged = files.add(output_path(image.dataset.name, method_key, image.name), rendered.png)
        with transaction.atomic():
            method = ensure_method(key=method_key, label=label)
            values = {
                "file": staged.name,
                **rendered.fields(),
                "origin": origin,
                "source": source,
                "weights_checksum": weights_checksum,
            }
            if previous is None:
                output = Output.objects.create(image=image, method=method, **values)
            else:
                output = previous
                for key, value in values.items():
                    setattr(output, key, value)
                output.save()
            files.publish()
    return output


# --- outputs made elsewhere ----------------------------------------------------


def save_output(
    *,
    image: SourceImage,
    method: str,
    pixels: np.ndarray,
    origin: str = Output.Origin.GENERATED,
    source: str = "",
    weights_checksum: str = "",
    replace: bool = False,
) -> Output:
    """Store an output computed in this process (uint8 HxWx3) with its metrics against HR.

    For generation and scripts: the file is written atomically at
    ``outputs/<dataset>/<method>/<image>.png`` and the row created (or, with
    ``replace``, updated) in the same step.
    """
    from srmodels.imageio import decode_image

    key = methods.normalise_key(method)
    previous = Output.objects.filter(image=image, method__key=key).first()
    if previous is not None and not replace:
        raise CatalogError(f"{image} already has a {key} output (pass replace=True)")
    hr = decode_image(read_bytes(image.hr.name), name=image.hr.name)
    if pixels.shape != hr.shape:
        raise CatalogError(
            f"{key} output for {image} is {pixels.shape[1]}x{pixels.shape[0]}, "
            f"HR is {hr.shape[1]}x{hr.shape[0]}"
        )
    rendered = imaging.render_output(pixels, hr, scale=image.dataset.scale)
    return _store_output(
        image=image,
        method_key=key,
        label=None,
        rendered=rendered,
        origin=origin,
        source=source,
        previous=previous,
        weights_checksum=weights_checksum,
    )


def copy_outputs(
    *, dataset: str, from_method: str, to_method: str, label: str | None = None
) -> list[Output]:
    """Stand-ins: copy ``from_method``'s outputs as ``to_method`` where it has none.

    For demos and tests that need a complete design before every model is trained.
    The copies keep the source metrics and say in ``source`` what they are, so no
    analysis can mistake them for real results.
    """
    source_key, target_key = methods.normalise_key(from_method), methods.normalise_key(to_method)
    if target_key == methods.HR_KEY:
        raise CatalogError("method 'hr' is the dataset's own HR image; it cannot be copied to")
    have = set(
        Output.objects.filter(image__dataset__name=dataset, method__key=target_key).values_list(
            "image_id", flat=True
        )
    )
    sources = (
        Output.objects.filter(image__dataset__name=dataset, method__key=source_key)
        .exclude(image_id__in=have)
        .select_related("image__dataset")
    )
    created = []
    for original in sources:
        data = read_bytes(original.file.name)
        rendered = imaging.RenderedOutput(
            png=data,
            checksum=sha256(data),
            width=original.width,
            height=original.height,
            psnr=original.psnr,
            ssim=original.ssim,
            ssim_daala=original.ssim_daala,
        )
        created.append(
            _store_output(
                image=original.image,
                method_key=target_key,
                label=label,
                rendered=rendered,
                origin=Output.Origin.IMPORTED,
                source=f"stand-in: copy of the {source_key} output",
                previous=None,
            )
        )
    return created
