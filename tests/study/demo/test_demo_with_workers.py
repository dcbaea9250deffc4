from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output
from study.generation.models import GenerationJob


@pytest.mark.django_db(transaction=True)
def test_it_generates_the_demo_outputs_on_celery_workers(celery_worker_factory, tmp_path):
    worker = celery_worker_factory(queues="gpu,cpu")
    out = StringIO()
    call_command("demo", export_dir=str(tmp_path / "export"), stdout=out)
    assert "(on the workers)" in out.getvalue()
    jobs = GenerationJob.objects.all()
    assert {job.method.key for job in jobs} == {"srcnn", "espcn"}
    assert all(job.status == GenerationJob.Status.DONE for job in jobs)
    for method in ("srcnn", "espcn"):
        outputs = Output.objects.filter(image__dataset__name="demo", method__key=method)
        assert outputs.count() == 4
        assert all(output.psnr is not None for output in outputs)
    assert "generation.run_batch" in worker.log()
    assert (tmp_path / "export" / "table2.tex").exists()
