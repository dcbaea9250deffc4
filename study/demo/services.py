"""The demo: every stage of the platform on real photographs, in one idempotent call.

Each step checks what exists first, so a second run reuses the database, the images,
the outputs and the study, and only re-exports.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from srmodels.registry import list_methods
from study.analysis import kinds as analysis_kinds
from study.analysis.exports import export_results
from study.analysis.services import simulate_raters
from study.catalog.models import Dataset, Output
from study.catalog.services import import_dataset
from study.demo.images import CALIBRATION_IMAGES, TEST_IMAGES, write_images
from study.generation.selectors import jobs_in_progress
from study.generation.services import generate_outputs
from study.protocol.config import parse_config
from study.protocol.models import Rater, Study
from study.protocol.services import create_study, open_study, rater_url

DATASET = "demo"
CALIBRATION = "demo-calibration"
STUDY = "demo"
PAIRWISE_STUDY = "demo-pairwise"
ADMIN_USER = "admin"
SIMULATED_RATERS = 2

Say = Callable[[str], None]


@dataclass
class DemoResult:
    study: Study
    rater_links: list[str]
    admin_user: str
    admin_password: str | None  # None: unchanged since an earlier run
    export_dir: Path
    methods: list[str] = field(default_factory=list)
    # The small pairwise-preference study beside the ACR one.
    pairwise: Study | None = None
    pairwise_links: list[str] = field(default_factory=list)


def shipped_model_methods() -> list[str]:
    """Model methods whose weights are present (shipped or in SRMODELS_WEIGHTS_DIR)."""
    return [s.spec.key for s in list_methods() if s.spec.kind == "model" and s.available]


def ensure_admin(*, password: str | None) -> str | None:
    """The staff user: DEMO_ADMIN_PASSWORD if given, else a generated password on first run."""
    users = get_user_model()
    user = users.objects.filter(username=ADMIN_USER).first()
    if user is not None and not password:
        return None
    password = password or secrets.token_urlsafe(12)
    if user is None:
        users.objects.create_superuser(ADMIN_USER, email="", password=password)
    else:
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
    return password


def study_config(methods: list[str]) -> str:
    arm = ", ".join(f'"{key}"' for key in ["nearest", "bicubic", *methods, "hr"])
    return f"""\
title = "How good do these photographs look?"
seed = 2017
raters = {SIMULATED_RATERS + 1}

[[arms]]
dataset = "{DATASET}"
methods = [{arm}]

[calibration]
dataset = "{CALIBRATION}"
images = {len(CALIBRATION_IMAGES)}
low = {{ method = "nearest", score = 1 }}
high = {{ method = "hr", score = 5 }}

[retest]
dataset = "{DATASET}"
method = "bicubic"
images = 2
"""


def pairwise_config(methods: list[str]) -> str:
    arm = ", ".join(f'"{key}"' for key in ["bicubic", *methods, "hr"])
    return f"""\
kind = "pairwise"
title = "Which of two photographs looks better?"
seed = 2017
raters = {1 + SIMULATED_RATERS}

[[arms]]
dataset = "{DATASET}"
methods = [{arm}]

[pairwise]
design = "active"
comparisons_per_rater = 12
"""


def ensure_pairwise_study(*, methods: list[str], export_dir: Path) -> Study:
    """The pairwise demo study: open, two simulated raters, exported beside the ACR one."""
    study = Study.objects.filter(name=PAIRWISE_STUDY).first()
    if study is None:
        text = pairwise_config(methods)
        study, _design = create_study(name=PAIRWISE_STUDY, config=parse_config(text), source=text)
    if study.state != Study.State.OPEN:
        study = open_study(study=study)
    kind = analysis_kinds.of(study)
    if not study.raters.filter(simulated=True).exists():
        kind.simulate_raters(study, {"count": SIMULATED_RATERS, "seed": 1, "quality": []})
    kind.export_results(study, str(export_dir), {"overwrite": True})
    return study


def run_demo(
    *, work_dir: Path, export_dir: Path, admin_password: str | None, say: Say
) -> DemoResult:
    say("1/7 database")
    call_command("migrate", interactive=False, verbosity=0)
    password = ensure_admin(password=admin_password)

    say("2/7 demo photographs (scikit-image sample images)")
    for name, images, role in (
        (DATASET, TEST_IMAGES, Dataset.Role.TEST),
        (CALIBRATION, CALIBRATION_IMAGES, Dataset.Role.CALIBRATION),
    ):
        folder = work_dir / name
        write_images(folder, images)
        report = import_dataset(name=name, directory=folder, scale=4, role=role)
        say(f"    {report.summary()}")

    methods = shipped_model_methods()
    say(f"3/7 outputs of the methods whose weights ship: {', '.join(methods) or 'none'}")
    dataset = Dataset.objects.get(name=DATASET)
    for method in methods:
        have = Output.objects.filter(image__dataset=dataset, method__key=method).count()
        if have == dataset.images.count():
            say(f"    {method}: all {have} outputs exist")
            continue
        job = generate_outputs(dataset=dataset, method=method)
        say(
            f"    {method}: job {job.pk} "
            f"({'in-process' if settings.TASKS_IN_PROCESS else 'on the workers'})"
        )
    wait_for_outputs(dataset=DATASET, methods=methods, say=say)

    say("4/7 study")
    study = Study.objects.filter(name=STUDY).first()
    if study is None:
        text = study_config(methods)
        study, _design = create_study(name=STUDY, config=parse_config(text), source=text)
    if study.state != Study.State.OPEN:
        study = open_study(study=study)

    # The simulation fills two of the three places; the third is the link printed.
    say("5/7 simulated raters")
    if not study.raters.filter(simulated=True).exists():
        simulate_raters(study=study, count=SIMULATED_RATERS, seed=1)
    human = list(Rater.objects.filter(study=study, simulated=False).order_by("number"))

    say("6/7 export, and a small pairwise study beside it")
    export_dir.parent.mkdir(parents=True, exist_ok=True)
    export_results(study=study, out=export_dir, overwrite=True)
    pairwise = ensure_pairwise_study(
        methods=methods, export_dir=export_dir.with_name(export_dir.name + "-pairwise")
    )
    pairwise_human = Rater.objects.filter(study=pairwise, simulated=False).order_by("number")

    say("7/7 ready")
    return DemoResult(
        study=study,
        rater_links=[rater_url(rater) for rater in human],
        admin_user=ADMIN_USER,
        admin_password=password,
        export_dir=export_dir,
        methods=methods,
        pairwise=pairwise,
        pairwise_links=[rater_url(rater) for rater in pairwise_human],
    )


def wait_for_outputs(*, dataset: str, methods: list[str], say: Say, timeout: float = 3600) -> None:
    """With workers, outputs arrive asynchronously: wait until every one is stored."""
    deadline = time.monotonic() + timeout
    if jobs_in_progress(dataset=dataset, methods=methods):
        say("    waiting for the workers (celery -A study worker -Q gpu,cpu) ...")
    while jobs_in_progress(dataset=dataset, methods=methods):
        if time.monotonic() > deadline:
            raise TimeoutError(f"outputs for {dataset} not ready after {timeout:.0f} s")
        time.sleep(1)
