"""The study definition: TOML in, a validated ``StudyConfig`` out, errors that name the key.

This module checks the file on its own (types, ranges, unknown keys, the retest
method being one of its arm's methods). What depends on the catalog (datasets
and methods that exist, outputs present) is checked by
``protocol.services.design_study``. Every problem found is reported at once,
each line starting with the key it concerns, e.g.
``arms[1].methods[3]: unknown method 'foo'``. Indices are 0-based, as in the
TOML array.

The file::

    title = "SRGAN MOS"                   # optional
    seed = 2017                           # optional: drawn and recorded when absent
    raters = 26
    completion_redirect_url = ""          # optional; "{code}" becomes the completion code
    [[arms]]                              # one per dataset
    dataset = "Set5"
    methods = ["nearest", "bicubic", "srgan-vgg54", "hr"]
    [calibration]                         # optional
    dataset = "BSD300-train"
    images = 20
    low = { method = "nearest", score = 1 }
    high = { method = "hr", score = 5 }
    allow_overlap = false                 # optional: may calibration images also be rated?
    [retest]                              # optional
    dataset = "BSD100"
    method = "srgan-vgg54"
    images = 10
    [session]                             # optional
    items_per_sitting = 200
    break_minutes = 5
    min_response_ms = 500                 # optional: raters.csv flags faster medians
    [quality]                             # optional: crowd quality control (ACR only)
    gold = { dataset = "BSD300-train", images = 4, low = "nearest", high = "hr" }
    attention = 2                         # "Please select 3 for this image" items
    reject_if = ["gold", "attention"]     # also too_fast, bt500, calibration, ...
    screen_out_code = "SCREENED"          # shown (and redirected with) to rejected raters

Two-image studies (``study.pairwise``) say so with ``kind``; they have no
calibration or retest block::

    kind = "pairwise"                     # "acr" (default), "pairwise" or "2afc-real"
    [pairwise]                            # optional
    design = "active"                     # "full" (default) or "active"
    comparisons_per_rater = 120           # optional for "full" (default: every trial)

``pairwise`` compares two methods of one photograph; ``2afc-real`` pairs each method's
output with the photograph's HR image, so ``hr`` is not one of its arms' methods.
"""

from __future__ import annotations

import re
import secrets
import tomllib
from dataclasses import asdict, dataclass
from typing import Any

from study.catalog import methods as catalog_methods

MAX_SEED = 2**63 - 1
MAX_RATERS = 100_000
# Screening flags a rater whose median server-timed response is below this (too_fast).
DEFAULT_MIN_RESPONSE_MS = 500
MAX_MIN_RESPONSE_MS = 600_000
KINDS = ("acr", "pairwise", "2afc-real")
DESIGNS = ("full", "active")
REFERENCE_METHODS = {"2afc-real": "hr"}
# Active sampling asks this many trials of a rater unless the file says otherwise.
DEFAULT_ACTIVE_COMPARISONS = 100
TOP_LEVEL_KEYS = (
    "kind",
    "title",
    "seed",
    "raters",
    "completion_redirect_url",
    "arms",
    "calibration",
    "retest",
    "session",
    "pairwise",
    "quality",
)
# What ``[quality] reject_if`` may name: the hidden known-answer items (decided when a
# rater stores their last item), and the screening's flags (``analysis.stats.
# screen_raters``, decided on the whole panel, so in exports only).
FINISH_RULES = ("gold", "attention")
PANEL_RULES = (
    "too_fast",
    "bt500",
    "calibration",
    "low_correlation",
    "straight_lining",
    "inconsistent",
)
REJECT_RULES = FINISH_RULES + PANEL_RULES
# Gold items: the low method is expected at most this score, the high one at least that.
GOLD_LOW_MAX = 2
GOLD_HIGH_MIN = 4
MAX_QUALITY_ITEMS = 100
# A completion code: what a rater types or a redirect carries (Rater.completion_code).
CODE_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")


class ConfigError(ValueError):
    """An invalid study definition; ``errors`` lists every problem, each naming its key."""

    def __init__(self, errors: list[str] | str) -> None:
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class Arm:
    dataset: str
    methods: tuple[str, ...]


@dataclass(frozen=True)
class Anchor:
    method: str
    score: int


@dataclass(frozen=True)
class Calibration:
    dataset: str
    images: int
    low: Anchor
    high: Anchor
    # An example of a score shown first and rated later would anchor the rating on the
    # example: a calibration image may not be in a rated arm unless this says so.
    allow_overlap: bool = False


@dataclass(frozen=True)
class Retest:
    dataset: str
    method: str
    images: int


@dataclass(frozen=True)
class Session:
    items_per_sitting: int | None = None
    break_minutes: int = 0
    min_response_ms: int = DEFAULT_MIN_RESPONSE_MS


@dataclass(frozen=True)
class Pairwise:
    """How a two-image study chooses its trials."""

    design: str = "full"
    # None: every trial of the full design (full only).
    comparisons_per_rater: int | None = None


@dataclass(frozen=True)
class Gold:
    """Hidden known-answer items: ``low`` expected <= 2, ``high`` >= 4, on ``images`` photos."""

    dataset: str
    images: int
    low: str = "nearest"
    high: str = "hr"


@dataclass(frozen=True)
class Quality:
    """Crowd quality control: gold and attention items among the ratings, acceptance rules.

    Gold and attention items never enter a MOS, a test or a table; they decide whether
    a rater is accepted (``reject_if``) and which code the done page shows.
    """

    gold: Gold | None = None
    attention: int = 0
    reject_if: tuple[str, ...] = ()
    screen_out_code: str = ""

    @property
    def items(self) -> int:
        """Quality items in every rater's plan: two per gold image, one per attention item."""
        return 2 * (self.gold.images if self.gold else 0) + self.attention

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": asdict(self.gold) if self.gold else None,
            "attention": self.attention,
            "reject_if": list(self.reject_if),
            "screen_out_code": self.screen_out_code,
        }


@dataclass(frozen=True)
class StudyConfig:
    seed: int
    raters: int
    arms: tuple[Arm, ...]
    calibration: Calibration | None = None
    retest: Retest | None = None
    session: Session = Session()
    title: str = ""
    completion_redirect_url: str = ""
    kind: str = "acr"
    pairwise: Pairwise | None = None
    quality: Quality | None = None

    def to_dict(self) -> dict[str, Any]:
        """The normalised definition as JSON-able data (what Study.config stores).

        An ACR study stores no ``kind`` nor ``pairwise``, and a study without
        ``[quality]`` no ``quality``: its stored definition is what it was before
        two-image studies and quality control existed.
        """
        data = asdict(self)
        data["arms"] = [{"dataset": arm.dataset, "methods": list(arm.methods)} for arm in self.arms]
        if self.kind == "acr":
            del data["kind"], data["pairwise"]
        if self.quality is None:
            del data["quality"]
        else:
            data["quality"] = self.quality.to_dict()
        return data

    @property
    def reference_method(self) -> str | None:
        """The method every trial compares against (2afc-real: the real photograph)."""
        return REFERENCE_METHODS.get(self.kind)

    def arm_for(self, dataset: str) -> Arm | None:
        return next((arm for arm in self.arms if arm.dataset == dataset), None)


class _Checker:
    """Collects errors while reading values, so one run reports every problem."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, key: str, message: str) -> None:
        self.errors.append(f"{key}: {message}")

    def table(self, data: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.error(key, f"must be a table, got {_kind(data)}")
            return None
        for name in data:
            if name not in allowed:
                self.error(_join(key, name), f"unknown key (expected one of: {', '.join(allowed)})")
        return data

    def integer(
        self,
        data: dict[str, Any],
        key: str,
        name: str,
        *,
        minimum: int,
        maximum: int,
        required: bool = True,
        default: int | None = None,
    ) -> int | None:
        full = _join(key, name)
        if name not in data:
            if required:
                self.error(full, "is required")
            return default
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(full, f"must be an integer, got {_kind(value)} {value!r}")
            return default
        if not minimum <= value <= maximum:
            bounds = f"at least {minimum}" if maximum >= MAX_SEED else f"{minimum} to {maximum}"
            self.error(full, f"must be {bounds}, got {value}")
            return default
        return value

    def string(
        self, data: dict[str, Any], key: str, name: str, *, required: bool = True, max_length=200
    ) -> str | None:
        full = _join(key, name)
        if name not in data:
            if required:
                self.error(full, "is required")
            return None if required else ""
        value = data[name]
        if not isinstance(value, str):
            self.error(full, f"must be a string, got {_kind(value)} {value!r}")
            return None
        value = value.strip()
        if required and not value:
            self.error(full, "must not be empty")
            return None
        if len(value) > max_length:
            self.error(full, f"must be at most {max_length} characters")
            return None
        return value

    def boolean(self, data: dict[str, Any], key: str, name: str, *, default: bool) -> bool:
        full = _join(key, name)
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.error(full, f"must be true or false, got {_kind(value)} {value!r}")
            return default
        return value

    def method(self, data: dict[str, Any], key: str, name: str) -> str | None:
        value = self.string(data, key, name)
        return None if value is None else self.method_name(value, _join(key, name))

    def method_name(self, value: Any, key: str) -> str | None:
        if not isinstance(value, str):
            self.error(key, f"must be a method name (string), got {_kind(value)} {value!r}")
            return None
        try:
            return catalog_methods.normalise_key(value)
        except catalog_methods.MethodKeyError as exc:
            self.error(key, str(exc))
            return None


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def parse_config(text: str, *, source: str = "config") -> StudyConfig:
    """Parse and validate TOML text; ``source`` names the file in syntax errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: malformed TOML: {exc}") from None
    return config_from_dict(data)


def config_from_dict(data: Any) -> StudyConfig:
    """Validate parsed data (a TOML document or ``StudyConfig.to_dict()`` output)."""
    # to_dict writes an absent optional value as None; TOML has no null, so dropping
    # them reads a stored definition exactly as the file it came from.
    data = _without_nulls(data)
    check = _Checker()
    root = check.table(data, "", TOP_LEVEL_KEYS)
    if root is None:
        raise ConfigError(check.errors)

    title = check.string(root, "", "title", required=False) or ""
    redirect = check.string(root, "", "completion_redirect_url", required=False, max_length=1000)
    redirect = redirect or ""
    if redirect and not redirect.startswith(("https://", "http://")):
        check.error("completion_redirect_url", f"must be an http(s) URL, got {redirect!r}")
    seed = check.integer(root, "", "seed", minimum=0, maximum=MAX_SEED, required=False)
    if "seed" not in root:
        seed = secrets.randbelow(2**62)
    raters = check.integer(root, "", "raters", minimum=1, maximum=MAX_RATERS)

    arms = _arms(check, root.get("arms"))
    calibration = None
    if "calibration" in root:
        calibration = _calibration(check, root["calibration"])
    retest = None
    if "retest" in root:
        retest = _retest(check, root["retest"], arms)
    kind, pairwise = _study_kind(check, root, arms)
    quality = None
    if "quality" in root:
        quality = _quality(check, root["quality"], arms)
    session = Session()
    if "session" in root:
        table = check.table(
            root["session"], "session", ("items_per_sitting", "break_minutes", "min_response_ms")
        )
        if table is not None:
            session = Session(
                items_per_sitting=check.integer(
                    table, "session", "items_per_sitting", minimum=1, maximum=10**6, required=False
                ),
                break_minutes=check.integer(
                    table,
                    "session",
                    "break_minutes",
                    minimum=0,
                    maximum=7 * 24 * 60,
                    required=False,
                    default=0,
                )
                or 0,
                min_response_ms=check.integer(
                    table,
                    "session",
                    "min_response_ms",
                    minimum=0,
                    maximum=MAX_MIN_RESPONSE_MS,
                    required=False,
                    default=DEFAULT_MIN_RESPONSE_MS,
                ),
            )
    if check.errors:
        raise ConfigError(check.errors)
    return StudyConfig(
        seed=int(seed),
        raters=int(raters),
        arms=tuple(arms),
        calibration=calibration,
        retest=retest,
        session=session,
        title=title,
        completion_redirect_url=redirect,
        kind=kind,
        pairwise=pairwise,
        quality=quality,
    )


def _without_nulls(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_nulls(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [_without_nulls(value) for value in data]
    return data


def _study_kind(
    check: _Checker, root: dict[str, Any], arms: list[Arm]
) -> tuple[str, Pairwise | None]:
    """``kind`` and the ``[pairwise]`` table, checked against the rest of the file."""
    kind = check.string(root, "", "kind", required=False) or "acr"
    if kind not in KINDS:
        check.error("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
        return "acr", None
    if kind == "acr":
        if "pairwise" in root:
            check.error("pairwise", 'is for two-image studies (kind = "pairwise" or "2afc-real")')
        return kind, None
    for name in ("calibration", "retest", "quality"):
        if name in root:
            check.error(name, f"not used by kind {kind!r} (two-image studies have no {name})")
    for number, arm in enumerate(arms):
        _check_two_image_arm(check, kind, number, arm)
    pairwise = Pairwise()
    if "pairwise" in root:
        table = check.table(root["pairwise"], "pairwise", ("design", "comparisons_per_rater"))
        if table is not None:
            pairwise = _pairwise(check, table)
    if pairwise.design == "active" and kind in REFERENCE_METHODS:
        check.error(
            "pairwise.design",
            f"'active' chooses pairs of methods; every {kind} trial pairs a method with "
            f"{REFERENCE_METHODS[kind]!r} (use 'full')",
        )
    if pairwise.design == "active" and pairwise.comparisons_per_rater is None:
        pairwise = Pairwise(design="active", comparisons_per_rater=DEFAULT_ACTIVE_COMPARISONS)
    return kind, pairwise


def _check_two_image_arm(check: _Checker, kind: str, number: int, arm: Arm) -> None:
    key = f"arms[{number}].methods"
    reference = REFERENCE_METHODS.get(kind)
    if reference in arm.methods:
        check.error(
            f"{key}[{arm.methods.index(reference)}]",
            f"{reference!r} is the reference of every {kind} trial, not one of its methods",
        )
    if kind == "pairwise" and 0 < len(arm.methods) < 2:
        check.error(key, "a pairwise arm needs at least two methods to compare")


def _pairwise(check: _Checker, table: dict[str, Any]) -> Pairwise:
    design = check.string(table, "pairwise", "design", required=False) or "full"
    if design not in DESIGNS:
        check.error("pairwise.design", f"must be one of {', '.join(DESIGNS)}, got {design!r}")
        design = "full"
    per_rater = check.integer(
        table, "pairwise", "comparisons_per_rater", minimum=1, maximum=100_000, required=False
    )
    return Pairwise(design=design, comparisons_per_rater=per_rater)


def _arms(check: _Checker, data: Any) -> list[Arm]:
    if data is None:
        check.error("arms", "is required: at least one [[arms]] table (dataset, methods)")
        return []
    if not isinstance(data, list) or not data:
        check.error("arms", "must be a non-empty array of tables ([[arms]])")
        return []
    arms: list[Arm] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        key = f"arms[{index}]"
        table = check.table(item, key, ("dataset", "methods"))
        if table is None:
            continue
        dataset = check.string(table, key, "dataset", max_length=100)
        if dataset is not None:
            if dataset in seen:
                check.error(
                    f"{key}.dataset", f"{dataset!r} already has an arm (arms[{seen[dataset]}])"
                )
            seen[dataset] = index
        raw = table.get("methods")
        names: list[str] = []
        if raw is None:
            check.error(f"{key}.methods", "is required")
        elif not isinstance(raw, list) or not raw:
            check.error(f"{key}.methods", "must be a non-empty array of method names")
        else:
            for position, value in enumerate(raw):
                name = check.method_name(value, f"{key}.methods[{position}]")
                if name is None:
                    continue
                if name in names:
                    check.error(f"{key}.methods[{position}]", f"{name!r} is listed twice")
                    continue
                names.append(name)
        if dataset is not None:
            arms.append(Arm(dataset=dataset, methods=tuple(names)))
    return arms


def _anchor(check: _Checker, data: Any, key: str, default_score: int) -> Anchor | None:
    table = check.table(data, key, ("method", "score"))
    if table is None:
        return None
    method = check.method(table, key, "method")
    score = check.integer(table, key, "score", minimum=1, maximum=5, required=False)
    if method is None:
        return None
    return Anchor(method=method, score=default_score if score is None else score)


def _calibration(check: _Checker, data: Any) -> Calibration | None:
    key = "calibration"
    table = check.table(data, key, ("dataset", "images", "low", "high", "allow_overlap"))
    if table is None:
        return None
    dataset = check.string(table, key, "dataset", max_length=100)
    images = check.integer(table, key, "images", minimum=1, maximum=10_000)
    allow_overlap = check.boolean(table, key, "allow_overlap", default=False)
    low = high = None
    for name in ("low", "high"):
        if name not in table:
            check.error(f"{key}.{name}", "is required: { method = ..., score = ... }")
    if "low" in table:
        low = _anchor(check, table["low"], f"{key}.low", 1)
    if "high" in table:
        high = _anchor(check, table["high"], f"{key}.high", 5)
    if low is not None and high is not None:
        if low.score >= high.score:
            check.error(f"{key}.high.score", f"must be above the low anchor's score ({low.score})")
        if low.method == high.method:
            check.error(f"{key}.high.method", "must differ from the low anchor's method")
    if dataset is None or images is None or low is None or high is None:
        return None
    return Calibration(
        dataset=dataset, images=images, low=low, high=high, allow_overlap=allow_overlap
    )


def _retest(check: _Checker, data: Any, arms: list[Arm]) -> Retest | None:
    key = "retest"
    table = check.table(data, key, ("dataset", "method", "images"))
    if table is None:
        return None
    dataset = check.string(table, key, "dataset", max_length=100)
    method = check.method(table, key, "method")
    images = check.integer(table, key, "images", minimum=1, maximum=10_000)
    if dataset is not None and method is not None:
        arm = next((arm for arm in arms if arm.dataset == dataset), None)
        if arm is None:
            check.error(f"{key}.dataset", f"{dataset!r} is not the dataset of any arm")
        elif method not in arm.methods:
            check.error(
                f"{key}.method",
                f"{method!r} is not among the methods of the {dataset} arm "
                f"({', '.join(arm.methods)})",
            )
    if dataset is None or method is None or images is None:
        return None
    return Retest(dataset=dataset, method=method, images=images)


def _quality(check: _Checker, data: Any, arms: list[Arm]) -> Quality | None:
    """``[quality]``: gold items, attention items, the acceptance rules, the screen-out code."""
    key = "quality"
    table = check.table(data, key, ("gold", "attention", "reject_if", "screen_out_code"))
    if table is None:
        return None
    gold = _gold(check, table["gold"], arms) if "gold" in table else None
    attention = check.integer(
        table, key, "attention", minimum=0, maximum=MAX_QUALITY_ITEMS, required=False, default=0
    )
    rules = _reject_if(check, table.get("reject_if", []))
    code = check.string(table, key, "screen_out_code", required=False, max_length=32) or ""
    if code and not CODE_RE.fullmatch(code):
        check.error(
            f"{key}.screen_out_code",
            f"{code!r}: 1 to 32 letters, digits, '-' or '_' (typed by raters, sent in links)",
        )
    if "gold" in rules and gold is None and "gold" not in table:
        check.error(f"{key}.reject_if", "names 'gold' but [quality] has no gold items (gold = ...)")
    if "attention" in rules and not attention:
        check.error(
            f"{key}.reject_if",
            "names 'attention' but [quality] has no attention items (attention = N)",
        )
    if set(rules) & set(FINISH_RULES) and not code:
        check.error(
            f"{key}.screen_out_code",
            "is required when reject_if names gold or attention: the done page shows it to "
            "rejected raters (and the completion redirect carries it)",
        )
    return Quality(
        gold=gold, attention=attention or 0, reject_if=tuple(rules), screen_out_code=code
    )


def _gold(check: _Checker, data: Any, arms: list[Arm]) -> Gold | None:
    key = "quality.gold"
    table = check.table(data, key, ("dataset", "images", "low", "high"))
    if table is None:
        return None
    dataset = check.string(table, key, "dataset", max_length=100)
    images = check.integer(table, key, "images", minimum=1, maximum=MAX_QUALITY_ITEMS // 2)
    low = check.method(table, key, "low") if "low" in table else "nearest"
    high = check.method(table, key, "high") if "high" in table else "hr"
    if low is not None and low == high:
        check.error(f"{key}.high", "must differ from the low method")
    for number, arm in enumerate(arms):
        if dataset is not None and arm.dataset == dataset:
            check.error(
                f"{key}.dataset",
                f"{dataset!r} is rated (arms[{number}]): a gold item must never be a rated "
                "photograph; draw gold items from a calibration-role dataset no arm rates",
            )
    if dataset is None or images is None or low is None or high is None:
        return None
    return Gold(dataset=dataset, images=images, low=low, high=high)


def _reject_if(check: _Checker, data: Any) -> list[str]:
    key = "quality.reject_if"
    if not isinstance(data, list):
        check.error(key, f"must be an array of rule names, got {_kind(data)} {data!r}")
        return []
    rules: list[str] = []
    for index, value in enumerate(data):
        if not isinstance(value, str) or value not in REJECT_RULES:
            check.error(
                f"{key}[{index}]",
                f"unknown rule {value!r} (expected one of: {', '.join(REJECT_RULES)})",
            )
        elif value in rules:
            check.error(f"{key}[{index}]", f"{value!r} is listed twice")
        else:
            rules.append(value)
    return rules
