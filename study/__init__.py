"""The Django project: settings, URLs, the Celery app and the apps under it."""

from __future__ import annotations

from study.celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
