from __future__ import annotations

import pytest

from study.generation.models import GenerationJob
from study.generation.services import generate_outputs, run_batch
from tests.study.generation.helpers import make_dataset

pytestmark = pytest.mark.django_db


def test_it_shows_jobs_with_counts_and_item_errors_read_only(admin_client, tmp_path, media_root):
    dataset = make_dataset(tmp_path, count=3)
    (media_root / "datasets/Tiny/lr/img2.png").write_bytes(b"garbage")
    job = generate_outputs(dataset=dataset, method="bicubic", force=True, batch_size=2)
    run_batch(job_id=job.pk, batch=1)  # batch 2 (img2) stays pending, then fails
    listing = admin_client.get("/admin/generation/generationjob/").content.decode()
    # done, skipped, failed, pending
    assert '<td class="field-done">2</td><td class="field-skipped">0</td>' in listing
    assert '<td class="field-failed">0</td><td class="field-pending">1</td>' in listing

    run_batch(job_id=job.pk, batch=2)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    listing = admin_client.get("/admin/generation/generationjob/?status__exact=failed")
    assert '<td class="field-failed">1</td><td class="field-pending">0</td>' in listing.text

    page = admin_client.get(f"/admin/generation/generationjob/{job.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "datasets/Tiny/lr/img2.png: not an image file" in text
    assert text.count("Tiny/img") >= 3  # one inline row per image
    assert 'name="_save"' not in text
    assert admin_client.get("/admin/generation/generationjob/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/generation/generationjob/{job.pk}/change/", {}).status_code
        == 403
    )
