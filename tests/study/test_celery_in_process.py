from __future__ import annotations

from study.celery import app, ping


def test_it_runs_tasks_in_the_caller_without_a_broker():
    assert app.conf.task_always_eager is True
    assert ping.delay("hello").get(timeout=1) == "hello"
