"""Strict readers for settings taken from the environment.

Each helper returns a typed value or raises ``ImproperlyConfigured`` naming the
variable, so a typo in a deployment stops start-up instead of running with a
silently different configuration.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"{name}={value!r} has an empty entry; give a comma-separated list."
        )
    return items


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return Path(value).expanduser().resolve()


def parse_database_url(url: str, *, base_dir: Path, variable: str = "DATABASE_URL") -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into Django settings."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db, sqlite:////absolute/path.db
        raw = unquote(parts.path)
        if parts.netloc or not raw or raw == "/":
            raise ImproperlyConfigured(
                f"{variable}={url!r}: an SQLite URL looks like sqlite:///db.sqlite3 "
                "(relative to the project) or sqlite:////absolute/path.sqlite3."
            )
        path = Path(raw[1:])
        if not path.is_absolute():
            path = base_dir / path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{variable}={url!r} has an invalid port.") from None
        if not parts.hostname or not name or "/" in name:
            raise ImproperlyConfigured(
                f"{variable}={url!r}: a PostgreSQL URL looks like "
                "postgres://user:password@host:5432/database."
            )
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname,
            "PORT": str(port or 5432),
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{variable}={url!r} has an unsupported scheme {scheme!r}; "
        "use sqlite:///... or postgres://..."
    )


def validate_broker_url(url: str, *, variable: str = "CELERY_BROKER_URL") -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"{variable}={url!r}: expected a Redis URL such as redis://127.0.0.1:6379/0, "
            "or leave it unset to run tasks in-process."
        )
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ImproperlyConfigured(f"{variable}={url!r} has an invalid port.") from None
    return url
