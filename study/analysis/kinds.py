"""What the analysis does per study kind: exports, imported and simulated answers, dashboard.

The commands (``export_results``, ``import_ratings``, ``simulate_raters``) and the
dashboard's study pages ask this registry for the study's kind and call what it
registered; no module branches on the kind. The analysis registers "acr" (the
ratings pipeline below); ``study.pairwise`` registers its kinds when Django loads it.
Each function takes the command's parsed options as a mapping and reads what it knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from study.protocol.models import Study

# A command's parsed options (argparse's namespace as a mapping); each kind reads its own.
Options = Mapping[str, object]


class KindError(ValueError):
    """What a kind's command refuses: the message says why; nothing was written."""


@dataclass(frozen=True)
class AnalysisKind:
    name: str
    # Write every file of the export into a new folder; returns the summary line.
    export_results: Callable[[Study, str, Options], str]
    # The same files as a zip, in memory (the dashboard's download).
    export_zip: Callable[[Study, Options], bytes]
    # Answers made elsewhere (CSV); ``study`` is None with --create. Returns the summary.
    import_ratings: Callable[[TextIO, str, Study | None, Options], str]
    # Whether a CSV header (its column names) is this kind's import format.
    reads_header: Callable[[list[str]], bool]
    # Simulated raters added to the study; returns the summary line.
    simulate_raters: Callable[[Study, Options], str]
    # The dashboard's study page and its live JSON.
    study_page: Callable[[HttpRequest, Study], HttpResponse]
    study_live: Callable[[HttpRequest, Study], HttpResponse]


_KINDS: dict[str, AnalysisKind] = {}


def register(kind: AnalysisKind) -> None:
    _KINDS[kind.name] = kind


def of(study: Study) -> AnalysisKind:
    return _KINDS[study.config.get("kind", "acr")]


def for_header(columns: list[str]) -> AnalysisKind:
    """The kind whose import format has these columns (``import_ratings --create``)."""
    for kind in _KINDS.values():
        if kind.reads_header(columns):
            return kind
    return _KINDS["acr"]


def int_option(options: Options, name: str, default: int | None = None) -> int:
    """An integer option (argparse gives ints; a caller's mapping is checked here)."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise KindError(f"--{name.replace('_', '-')}: an integer is required, got {value!r}")
    return value


def float_option(options: Options, name: str, default: float) -> float:
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KindError(f"--{name.replace('_', '-')}: a number is required, got {value!r}")
    return float(value)


def list_option(options: Options, name: str) -> list[str]:
    value = options.get(name) or []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise KindError(f"--{name.replace('_', '-')}: a list of strings is required")
    return [str(v) for v in value]
