"""The Celery application.

With ``CELERY_BROKER_URL`` unset, tasks run eagerly in the calling process (the
embedded default, no Redis needed). With a ``redis://`` URL they go to workers:
``celery -A study worker -Q gpu,cpu``. The configuration lives in Django
settings under the ``CELERY_`` prefix: JSON only, late acknowledgement,
prefetch 1, a ``gpu`` and a ``cpu`` queue whose names come from settings.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "study.settings")

# DjangoTask adds delay_on_commit(): enqueue only once the caller's transaction
# has committed, so a worker never looks for rows that do not exist yet.
app = Celery("study", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="study.ping")
def ping(value: str = "pong") -> str:
    """A trivial task: tests and operators use it to prove a worker answers."""
    return value
