from __future__ import annotations

import pytest

from study.catalog.models import Output
from study.generation.models import GenerationItem
from study.generation.selectors import JobCounts, job_progress
from study.generation.services import BatchResult, generate_outputs, run_batch
from tests.study.generation.helpers import make_dataset, stored_files, tiny_srresnet

# Not transactional: the jobs' tasks are never sent (the test transaction never
# commits), so the test delivers the batches itself, twice.
pytestmark = pytest.mark.django_db


def files_with_mtimes(media_root) -> dict[str, int]:
    return {
        name: (media_root / name).stat().st_mtime_ns
        for name in stored_files(media_root)
        if name.startswith("outputs/Tiny/srresnet-mse/")
    }


def test_it_writes_nothing_twice_when_a_batch_is_delivered_again(tmp_path, media_root):
    dataset = make_dataset(tmp_path, count=3)
    weights = tiny_srresnet(tmp_path)
    first = generate_outputs(dataset=dataset, method="srresnet-mse", weights=weights, batch_size=3)
    # A second request before the first ran: its items are pending too.
    second = generate_outputs(dataset=dataset, method="srresnet-mse", weights=weights, batch_size=3)
    assert job_progress(job_id=second.pk) == JobCounts(pending=3)

    assert run_batch(job_id=first.pk, batch=1) == BatchResult(job=first.pk, batch=1, done=3)
    rows = list(Output.objects.filter(method__key="srresnet-mse").values_list("pk", "checksum"))
    files = files_with_mtimes(media_root)
    assert len(rows) == len(files) == 3

    # Redelivery of the same batch: every item is settled, nothing is touched.
    again = run_batch(job_id=first.pk, batch=1)
    assert again == BatchResult(job=first.pk, batch=1, already=3)
    # The second job finds the outputs made by the first: skipped, nothing written.
    other = run_batch(job_id=second.pk, batch=1)
    assert other == BatchResult(job=second.pk, batch=1, skipped=3)

    assert (
        list(Output.objects.filter(method__key="srresnet-mse").values_list("pk", "checksum"))
        == rows
    )
    assert files_with_mtimes(media_root) == files
    assert set(GenerationItem.objects.filter(job=first).values_list("status", "attempts")) == {
        ("done", 1)
    }
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("done", "done")
    assert first.finished_at is not None
    assert second.finished_at is not None
