from __future__ import annotations

import pytest

from study.celery import ping


@pytest.mark.django_db(transaction=True)
def test_it_gets_a_result_from_a_real_worker_process(celery_worker_factory, settings):
    worker = celery_worker_factory(queues=settings.CELERY_CPU_QUEUE)
    result = ping.apply_async(args=["from-the-worker"], queue=settings.CELERY_CPU_QUEUE)
    assert result.get(timeout=60) == "from-the-worker"
    assert "study.ping" in worker.log()
