"""Django settings, read from the environment by the strict helpers of ``study.env``.

Embedded defaults (no variables set): SQLite in the project folder, files under
``./media``, Celery tasks executed in-process. Set ``DATABASE_URL`` and
``CELERY_BROKER_URL`` to run on PostgreSQL with Redis-backed workers.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from study.env import (
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    parse_database_url,
    validate_broker_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, "
            "or DEBUG=1 for local development with a fixed development key."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else ["localhost"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Public base URL used in rater links printed by commands (no trailing slash).
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "study.catalog",
    "study.protocol",
    "study.rating",
    "study.generation",
    "study.analysis",
    "study.pairwise",
    "study.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "study.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "study.urls"
WSGI_APPLICATION = "study.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL", "sqlite:///db.sqlite3") or "sqlite:///db.sqlite3",
        base_dir=BASE_DIR,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers (the dashboard) proceed while a rating is written; the
    # timeout makes concurrent writers wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` writes here; WhiteNoise serves it when DEBUG is off.
STATIC_ROOT = env_path("STATIC_ROOT", BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_ROOT = env_path("MEDIA_ROOT", BASE_DIR / "media")
# Imports refuse an image of more pixels than this from its header, before decoding it
# (a 269 KB PNG can hold 9600x9600 pixels and need gigabytes to process). The default,
# 8192 x 8192 = 67 MP, is twice an 8K UHD frame (33 MP) and above the 61 MP of the
# largest full-frame camera sensors.
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 8192 * 8192, minimum=1)
MEDIA_URL = "/media/"

# Images go through Django's storage API only, so object storage can replace the
# file system by configuration: MEDIA_STORAGE_BACKEND is a dotted class path and
# MEDIA_STORAGE_OPTIONS a JSON object of its arguments.
_storage_options_raw = env_str("MEDIA_STORAGE_OPTIONS", "") or ""
try:
    _storage_options = json.loads(_storage_options_raw) if _storage_options_raw else {}
except json.JSONDecodeError as exc:
    raise ImproperlyConfigured(f"MEDIA_STORAGE_OPTIONS is not valid JSON: {exc}") from None
if not isinstance(_storage_options, dict):
    raise ImproperlyConfigured("MEDIA_STORAGE_OPTIONS must be a JSON object.")
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE_BACKEND", "")
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": _storage_options,
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Serve collected static files and, in the embedded setup, media through WhiteNoise
# / Django without a separate web server.
WHITENOISE_USE_FINDERS = True
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

LOGIN_URL = "/admin/login/"

# --- Celery -----------------------------------------------------------------
# Unset CELERY_BROKER_URL is the embedded default: tasks run in-process,
# synchronously, in the caller. A redis:// URL sends them to real workers.
# study/celery.py reads every CELERY_* name below (namespace "CELERY").
_broker_url = env_str("CELERY_BROKER_URL", "") or ""
if _broker_url:
    validate_broker_url(_broker_url)
# True when no broker is configured: .delay() runs the task in the caller.
TASKS_IN_PROCESS = not _broker_url
# In-process mode never sends a message, but Celery still serialises through a
# producer: give it the in-memory transport (with a host, which kombu expects).
CELERY_BROKER_URL = _broker_url or "memory://localhost/"
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or _broker_url or None
if CELERY_RESULT_BACKEND:
    validate_broker_url(CELERY_RESULT_BACKEND, variable="CELERY_RESULT_BACKEND")
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = False
CELERY_GPU_QUEUE = env_str("CELERY_GPU_QUEUE", "gpu") or "gpu"
CELERY_CPU_QUEUE = env_str("CELERY_CPU_QUEUE", "cpu") or "cpu"
CELERY_TASK_QUEUES = [Queue(CELERY_GPU_QUEUE), Queue(CELERY_CPU_QUEUE)]
CELERY_TASK_DEFAULT_QUEUE = CELERY_CPU_QUEUE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Acknowledge after the task ends: a worker that dies mid-task has its task
# redelivered, so every task must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One task at a time per worker process: long GPU batches are not hoarded.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Must exceed the longest task: a task not acknowledged within it is redelivered.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
# A broker host that does not answer fails a connection in 4 s, not after the system's
# TCP timeout (minutes): generate_outputs then says so in one line (generation.dispatch).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 4,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 4
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"

# SRMODELS_WEIGHTS_DIR, SRMODELS_VGG19_WEIGHTS and SRMODELS_DEVICE are read by srmodels
# itself (srmodels.registry, srmodels.archs.vgg, srmodels.hardware), the one reader each.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO") or "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- HTTPS and what browsers may do (manage.py check --deploy is clean with DEBUG=0,
# SECURE_COOKIES=1). Behind HTTPS, plain HTTP is redirected and HSTS is sent. A proxy
# that terminates TLS must say the request was HTTPS: gunicorn believes X-Forwarded-Proto
# from FORWARDED_ALLOW_IPS (127.0.0.1 by default); a proxy elsewhere names the header it
# sets to "https" in SECURE_PROXY_SSL_HEADER (and must strip it from clients' requests).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a commitment of the whole domain to browsers' built-in lists: opt in
# (SECURE_HSTS_PRELOAD=1); check --deploy's reminder of it (W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
_proxy_header = env_str("SECURE_PROXY_SSL_HEADER", "") or ""
if _proxy_header:
    if not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_header):
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_proxy_header!r}: give a header name such as "
            "X-Forwarded-Proto (the proxy sets it to https)"
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
# Referrers never leave the site (a rater's link is their credential). "no-referrer"
# would also drop them within the site, and browsers then send "Origin: null" with
# every form, which Django's CSRF check refuses.
SECURE_REFERRER_POLICY = "same-origin"
# study.security sends it: the site's own scripts, styles and images only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
