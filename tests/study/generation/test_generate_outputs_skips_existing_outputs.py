from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.weights import sha256_file
from study.catalog.models import Output
from study.generation.models import GenerationJob
from study.generation.selectors import JobCounts, job_progress
from tests.study.generation.helpers import make_dataset, tiny_srresnet

pytestmark = pytest.mark.django_db(transaction=True)


def generate(*args: str) -> tuple[GenerationJob, str]:
    out = StringIO()
    call_command("generate_outputs", "Tiny", *args, stdout=out, stderr=StringIO())
    return GenerationJob.objects.latest("pk"), out.getvalue()


def snapshot(method: str, media_root) -> dict[str, tuple[int, str, int]]:
    """image -> (row id, checksum, file mtime in ns) of the method's outputs."""
    return {
        o.image.name: (o.pk, o.checksum, (media_root / o.file.name).stat().st_mtime_ns)
        for o in Output.objects.filter(method__key=method).select_related("image")
    }


def test_it_skips_outputs_of_the_same_weights_unless_forced(tmp_path, media_root):
    make_dataset(tmp_path, count=3)
    imported = {o.image.name: o.psnr for o in Output.objects.filter(method__key="bicubic")}
    before = snapshot("bicubic", media_root)

    # import_dataset made the bicubic outputs (no weights): nothing to do.
    job, out = generate("bicubic")
    assert job_progress(job_id=job.pk) == JobCounts(skipped=3)
    assert (job.status, job.queue) == ("done", "cpu")
    assert "0 image(s) in 0 batch(es)" in out
    assert "3 skipped (output exists)" in out
    assert snapshot("bicubic", media_root) == before

    job, out = generate("bicubic", "--force")
    assert job_progress(job_id=job.pk) == JobCounts(done=3)
    after = snapshot("bicubic", media_root)
    assert {name: row[:2] for name, row in after.items()} == {
        name: row[:2] for name, row in before.items()
    }  # same rows, same pixels (both are MATLAB bicubic of the same LR)
    assert all(after[name][2] > before[name][2] for name in before)  # rewritten
    for output in Output.objects.filter(method__key="bicubic").select_related("image"):
        assert output.psnr == pytest.approx(imported[output.image.name], abs=1e-9)
        assert output.source == f"generate_outputs job {job.pk}"


def test_it_regenerates_outputs_of_other_weights(tmp_path, media_root):
    make_dataset(tmp_path, count=2)
    first, second = tiny_srresnet(tmp_path, seed=1), tiny_srresnet(tmp_path, seed=2)

    job, _ = generate("srresnet-mse", "--weights", str(first))
    assert job_progress(job_id=job.pk) == JobCounts(done=2)
    made = snapshot("srresnet-mse", media_root)

    job, _ = generate("srresnet-mse", "--weights", str(first))
    assert job_progress(job_id=job.pk) == JobCounts(skipped=2)
    assert snapshot("srresnet-mse", media_root) == made

    job, _ = generate("srresnet-mse", "--weights", str(second))
    assert job_progress(job_id=job.pk) == JobCounts(done=2)
    remade = snapshot("srresnet-mse", media_root)
    assert {name: row[0] for name, row in remade.items()} == {n: r[0] for n, r in made.items()}
    assert all(remade[name][1] != made[name][1] for name in made)  # other weights, other pixels
    assert set(
        Output.objects.filter(method__key="srresnet-mse").values_list("weights_checksum", flat=True)
    ) == {sha256_file(second)}
