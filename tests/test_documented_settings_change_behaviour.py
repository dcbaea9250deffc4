"""Each variable of the README's Configuration table changes what the project does.

A documented variable that is read nowhere (a typo in settings, a renamed reader) would
let an operator believe a deployment is configured when it is not; a variable read but
not documented is a setting nobody can find. So the table, the readers and the checks
below must name the same variables, and each check sets one variable to a valid,
non-default value and sees the configured behaviour move.

The Django settings are read in one subprocess (a clean environment, the real
``study.settings``): it reloads the settings module once per environment, so about
thirty configurations cost one Django start-up instead of thirty.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch

from srmodels.archs.vgg import load_vgg19_state_dict, vgg19_setting
from srmodels.hardware import DeviceError, resolve_device
from srmodels.registry import MissingWeightsError, find_weights
from tests.services import ROOT

README = ROOT / "README.md"
SETTINGS = ROOT / "study" / "settings.py"
ENV_HELPERS = ("env_str", "env_bool", "env_int", "env_list", "env_path")
# A name in backticks in another column of the table that is itself a variable
# (`SECURE_HSTS_PRELOAD`), told from values such as `INFO` by its underscore.
VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
BASE_ENV = {"SECRET_KEY": "documented-settings-test-key"}

# Runs in the subprocess: stdin holds [cases, managed names]; prints one snapshot per case.
DRIVER = r"""
import importlib, json, logging, logging.config, os, sys

cases, managed = json.load(sys.stdin)


def apply(env):
    for name in managed:
        os.environ.pop(name, None)
    os.environ.update({key: value for key, value in env.items() if value is not None})


apply(cases[0])
import django

django.setup()
from celery import Celery
from django.conf import settings
from django.core.files.storage import StorageHandler
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils.functional import empty

import study.settings
import study.urls


def media_served():
    try:
        resolve("/media/probe.png")
    except Resolver404:
        return False
    return True


def snapshot():
    importlib.reload(study.settings)
    settings._wrapped = empty  # the next access reads the reloaded module
    importlib.reload(study.urls)
    clear_url_caches()
    logging.config.dictConfig(settings.LOGGING)
    celery = Celery("probe")
    celery.config_from_object("django.conf:settings", namespace="CELERY")
    storage = StorageHandler()["default"]
    database = settings.DATABASES["default"]
    return {
        "DEBUG": settings.DEBUG,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
        "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
        "SITE_URL": settings.SITE_URL,
        "database_engine": database["ENGINE"],
        "database_name": str(database["NAME"]),
        "database_conn_max_age": database.get("CONN_MAX_AGE"),
        "tasks_in_process": settings.TASKS_IN_PROCESS,
        "celery_always_eager": celery.conf.task_always_eager,
        "celery_broker_url": celery.conf.broker_url,
        "celery_result_backend": celery.conf.result_backend,
        "celery_queues": sorted(queue.name for queue in celery.conf.task_queues),
        "celery_default_queue": celery.conf.task_default_queue,
        "celery_visibility_timeout": celery.conf.broker_transport_options["visibility_timeout"],
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "storage_class": type(storage).__module__ + "." + type(storage).__name__,
        "storage_base_url": storage.base_url,
        "media_served": media_served(),
        "IMAGE_MAX_PIXELS": settings.IMAGE_MAX_PIXELS,
        "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
        "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
        "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        "SECURE_HSTS_PRELOAD": settings.SECURE_HSTS_PRELOAD,
        "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
        "root_log_level": logging.getLogger().level,
    }


results = []
for case in cases:
    apply(case)
    try:
        results.append(snapshot())
    except Exception as exc:
        results.append({"error": f"{type(exc).__name__}: {exc}"})
print(json.dumps(results, default=list))
"""


def readme_table() -> set[str]:
    """The variables of the Configuration table: its first column, and names in other cells."""
    text = README.read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    first, mentioned = set(), set()
    for row in rows:
        cells = row.strip("|").split("|")
        first |= set(re.findall(r"`([^`]+)`", cells[0]))
        for cell in cells[1:]:
            mentioned |= {
                name for name in re.findall(r"`([^`]+)`", cell) if VARIABLE_NAME.fullmatch(name)
            }
    return first | mentioned


def read_by_settings() -> set[str]:
    """Every name ``study/settings.py`` reads through the strict helpers of ``study.env``."""
    helpers = "|".join(ENV_HELPERS)
    return set(re.findall(rf"\b(?:{helpers})\(\s*\"([A-Z0-9_]+)\"", SETTINGS.read_text()))


def read_by_srmodels() -> set[str]:
    """Every ``SRMODELS_*`` name that srmodels' code spells as a string."""
    names: set[str] = set()
    for path in (ROOT / "srmodels").rglob("*.py"):
        names |= set(re.findall(r"[\"'](SRMODELS_[A-Z0-9_]+)[\"']", path.read_text()))
    return names


@dataclass(frozen=True)
class SettingCheck:
    """Setting ``changed`` (over ``reference``) moves ``key`` of the settings to ``expected``."""

    changed: dict[str, str | None]
    key: str
    expected: Any
    reference: dict[str, str | None] = field(default_factory=dict)

    def envs(self) -> tuple[dict[str, str | None], dict[str, str | None]]:
        reference = {**BASE_ENV, **self.reference}
        return reference, {**reference, **self.changed}

    def __call__(self, context: Context) -> None:
        reference, changed = (context.snapshot(env) for env in self.envs())
        assert "error" not in changed, changed
        assert changed[self.key] == self.expected
        assert reference[self.key] != self.expected, "the default already behaves so"


@dataclass
class Context:
    """What a check can use: the settings snapshots, monkeypatch and a temporary folder."""

    snapshots: dict[str, dict[str, Any]]
    monkeypatch: pytest.MonkeyPatch
    tmp_path: Path

    def snapshot(self, env: dict[str, str | None]) -> dict[str, Any]:
        return self.snapshots[json.dumps(env, sort_keys=True)]


def check_weights_dir(context: Context) -> None:
    """A folder in SRMODELS_WEIGHTS_DIR is searched before the shipped weights."""
    context.monkeypatch.delenv("SRMODELS_WEIGHTS_DIR", raising=False)
    try:
        default = find_weights("srresnet-mse")
    except MissingWeightsError:
        default = None
    weights = context.tmp_path / "srresnet-mse.safetensors"
    weights.write_bytes(b"placeholder: the search only looks for the file")
    context.monkeypatch.setenv("SRMODELS_WEIGHTS_DIR", str(context.tmp_path))
    assert find_weights("srresnet-mse") == weights
    assert default != weights


def check_vgg19_weights(context: Context) -> None:
    """SRMODELS_VGG19_WEIGHTS is the file loaded instead of torchvision's download."""
    context.monkeypatch.delenv("SRMODELS_VGG19_WEIGHTS", raising=False)
    assert vgg19_setting() is None  # the default: download from torchvision's URL
    path = context.tmp_path / "vgg19.pth"
    torch.save({"marker": torch.tensor([7.0])}, path)
    context.monkeypatch.setenv("SRMODELS_VGG19_WEIGHTS", str(path))
    assert load_vgg19_state_dict()["marker"].tolist() == [7.0]


def check_device(context: Context) -> None:
    """SRMODELS_DEVICE picks the device of resolve_device(None); a bad one names the variable."""
    context.monkeypatch.delenv("SRMODELS_DEVICE", raising=False)
    default = resolve_device(None)
    assert default.type == ("cuda" if torch.cuda.is_available() else "cpu")
    context.monkeypatch.setenv("SRMODELS_DEVICE", "cuda:0" if default.type == "cpu" else "cpu")
    if default.type == "cpu":
        with pytest.raises(DeviceError, match="SRMODELS_DEVICE='cuda:0'"):
            resolve_device(None)
    else:
        assert resolve_device(None).type == "cpu"


POSTGRES = "postgres://study:secret@db.example.org:5432/study"
REDIS = "redis://broker.example.org:6379/0"
CHECKS: dict[str, Callable[[Context], None]] = {
    "DEBUG": SettingCheck({"DEBUG": "1"}, "DEBUG", True),
    "SECRET_KEY": SettingCheck(
        {"SECRET_KEY": "another-key"}, "SECRET_KEY", "another-key", {"DEBUG": "1"}
    ),
    "ALLOWED_HOSTS": SettingCheck(
        {"ALLOWED_HOSTS": "study.example.org,www.example.org"},
        "ALLOWED_HOSTS",
        ["study.example.org", "www.example.org"],
    ),
    "CSRF_TRUSTED_ORIGINS": SettingCheck(
        {"CSRF_TRUSTED_ORIGINS": "https://study.example.org"},
        "CSRF_TRUSTED_ORIGINS",
        ["https://study.example.org"],
    ),
    "SITE_URL": SettingCheck(
        {"SITE_URL": "https://study.example.org/"}, "SITE_URL", "https://study.example.org"
    ),
    "DATABASE_URL": SettingCheck(
        {"DATABASE_URL": "sqlite:////srv/study/other.sqlite3"},
        "database_name",
        "/srv/study/other.sqlite3",
    ),
    "DATABASE_CONN_MAX_AGE": SettingCheck(
        {"DATABASE_CONN_MAX_AGE": "5"}, "database_conn_max_age", 5, {"DATABASE_URL": POSTGRES}
    ),
    "CELERY_BROKER_URL": SettingCheck({"CELERY_BROKER_URL": REDIS}, "tasks_in_process", False),
    "CELERY_RESULT_BACKEND": SettingCheck(
        {"CELERY_RESULT_BACKEND": "redis://results.example.org:6379/1"},
        "celery_result_backend",
        "redis://results.example.org:6379/1",
        {"CELERY_BROKER_URL": REDIS},
    ),
    "CELERY_GPU_QUEUE": SettingCheck(
        {"CELERY_GPU_QUEUE": "gpu-a100"}, "celery_queues", ["cpu", "gpu-a100"]
    ),
    "CELERY_CPU_QUEUE": SettingCheck(
        {"CELERY_CPU_QUEUE": "cpu-big"}, "celery_default_queue", "cpu-big"
    ),
    "CELERY_VISIBILITY_TIMEOUT": SettingCheck(
        {"CELERY_VISIBILITY_TIMEOUT": "7200"}, "celery_visibility_timeout", 7200
    ),
    "MEDIA_ROOT": SettingCheck(
        {"MEDIA_ROOT": "/srv/study/media"}, "MEDIA_ROOT", "/srv/study/media"
    ),
    "STATIC_ROOT": SettingCheck(
        {"STATIC_ROOT": "/srv/study/static"}, "STATIC_ROOT", "/srv/study/static"
    ),
    "MEDIA_STORAGE_BACKEND": SettingCheck(
        {"MEDIA_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage"},
        "storage_class",
        "django.core.files.storage.memory.InMemoryStorage",
    ),
    "MEDIA_STORAGE_OPTIONS": SettingCheck(
        {"MEDIA_STORAGE_OPTIONS": '{"base_url": "https://cdn.example.org/"}'},
        "storage_base_url",
        "https://cdn.example.org/",
    ),
    "SERVE_MEDIA": SettingCheck({"SERVE_MEDIA": "0"}, "media_served", False),
    "IMAGE_MAX_PIXELS": SettingCheck({"IMAGE_MAX_PIXELS": "1000"}, "IMAGE_MAX_PIXELS", 1000),
    "SECURE_COOKIES": SettingCheck({"SECURE_COOKIES": "1"}, "cookies_secure", [True, True]),
    "SECURE_SSL_REDIRECT": SettingCheck({"SECURE_SSL_REDIRECT": "1"}, "SECURE_SSL_REDIRECT", True),
    "SECURE_HSTS_SECONDS": SettingCheck({"SECURE_HSTS_SECONDS": "600"}, "SECURE_HSTS_SECONDS", 600),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": SettingCheck(
        {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False
    ),
    "SECURE_HSTS_PRELOAD": SettingCheck({"SECURE_HSTS_PRELOAD": "1"}, "SECURE_HSTS_PRELOAD", True),
    "SECURE_PROXY_SSL_HEADER": SettingCheck(
        {"SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
        "SECURE_PROXY_SSL_HEADER",
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ),
    "LOG_LEVEL": SettingCheck({"LOG_LEVEL": "WARNING"}, "root_log_level", 30),
    "SRMODELS_WEIGHTS_DIR": check_weights_dir,
    "SRMODELS_VGG19_WEIGHTS": check_vgg19_weights,
    "SRMODELS_DEVICE": check_device,
}


@pytest.fixture(scope="module")
def snapshots() -> dict[str, dict[str, Any]]:
    """The settings under every environment the checks name, read in one subprocess."""
    envs = {
        json.dumps(env, sort_keys=True): env
        for check in CHECKS.values()
        if isinstance(check, SettingCheck)
        for env in check.envs()
    }
    managed = sorted(readme_table() | read_by_settings() | set(CHECKS))
    result = subprocess.run(
        [sys.executable, "-c", DRIVER],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "study.settings"},
        input=json.dumps([list(envs.values()), managed]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(zip(envs, json.loads(result.stdout.splitlines()[-1]), strict=True))


def test_it_checks_exactly_the_documented_variables():
    documented = readme_table()
    assert {"DEBUG", "CELERY_CPU_QUEUE", "SECURE_HSTS_PRELOAD"} <= documented, "parsing broke"
    assert documented - set(CHECKS) == set(), "documented without a check"
    assert set(CHECKS) - documented == set(), "checked but not in README's Configuration table"


def test_it_documents_every_variable_read():
    documented = readme_table()
    read = read_by_settings() | read_by_srmodels()
    assert {"SRMODELS_DEVICE", "DEBUG", "SECRET_KEY"} <= read, "the readers' search broke"
    assert read - documented == set(), "read but not in README's Configuration table"


@pytest.mark.parametrize("variable", sorted(CHECKS))
def test_it_changes_behaviour_when_set(variable, snapshots, monkeypatch, tmp_path):
    CHECKS[variable](Context(snapshots, monkeypatch, tmp_path))
