from __future__ import annotations

import shutil
import socket

import pytest

from study.generation.models import GenerationJob
from study.generation.selectors import JobCounts, job_failures, job_progress
from study.generation.services import BatchResult, generate_outputs, run_batch
from tests.study.generation.helpers import make_dataset, tiny_srresnet

# Not transactional: the test runs the batches itself, as a worker would.
pytestmark = pytest.mark.django_db


def test_it_fails_the_batch_when_the_worker_has_no_weights_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SRMODELS_WEIGHTS_DIR", raising=False)
    dataset = make_dataset(tmp_path, count=2)
    # Weights no other test uses, so no worker-process cache holds this model.
    weights = tiny_srresnet(tmp_path, features=4, seed=101)
    job = generate_outputs(dataset=dataset, method="srresnet-mse", weights=weights)
    weights.unlink()

    assert run_batch(job_id=job.pk, batch=1) == BatchResult(job=job.pk, batch=1, failed=2)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert job_progress(job_id=job.pk) == JobCounts(failed=2)
    [(name, error), _] = job_failures(job_id=job.pk)
    assert name == "img0"
    assert error.startswith(
        f"job {job.pk}: weights file {weights.resolve()} does not exist on worker host "
        f"{socket.gethostname()}, and the search path has none: no weights for method "
        "'srresnet-mse'"
    )


def test_it_refuses_weights_that_changed_after_the_job_was_recorded(tmp_path):
    dataset = make_dataset(tmp_path, count=1)
    weights = tiny_srresnet(tmp_path, features=4, seed=102)
    job = generate_outputs(dataset=dataset, method="srresnet-mse", weights=weights)
    other = tiny_srresnet(tmp_path, features=4, seed=103)
    shutil.copyfile(other, weights)
    shutil.copyfile(other.with_suffix(".json"), weights.with_suffix(".json"))

    assert run_batch(job_id=job.pk, batch=1).failed == 1
    [(_name, error)] = job_failures(job_id=job.pk)
    assert f"weights file {weights.resolve()} on {socket.gethostname()} has SHA-256 " in error
    assert error.endswith("the file changed; run generate_outputs again")
