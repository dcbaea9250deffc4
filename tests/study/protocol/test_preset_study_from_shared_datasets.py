"""Acceptance: the srgan2017 preset built from the real benchmark data and published outputs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.catalog.models import Output
from study.catalog.services import copy_outputs
from study.protocol.models import Study
from study.srgan2017 import BSD100_METHODS, METHODS
from tests.services import require_datasets
from tests.study.catalog.shared import SRGAN_AUTHORS_METHODS, write_rename_csv
from tests.study.protocol.plan_checks import assert_follows_the_rules, by_rater, export

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
CALIBRATION_SUBSET = 24  # of the 200 BSD300 training images: the preset draws 20


def command(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_everything(data, tmp_path) -> None:
    for name in ("Set5", "Set14", "BSD100"):
        command(
            "import_dataset", name, str(data / "benchmarks" / name / "x4"),
            "--pattern", "{name}_SRF_4_HR.png", "--lr-pattern", "{name}_SRF_4_LR.png",
        )  # fmt: skip
    calibration = tmp_path / "BSD300-train"
    calibration.mkdir()
    for path in sorted((data / "train" / "BSD300-train").glob("*.png"))[:CALIBRATION_SUBSET]:
        (calibration / path.name).symlink_to(path)
    command("import_dataset", "BSD300-train", str(calibration), "--role", "calibration")
    published = data / "outputs" / "Set5" / "x4"
    for file_method, key in (("SRCNN", "srcnn"), ("SelfExSR", "selfexsr")):
        command(
            "import_outputs", "Set5", key, str(published),
            "--pattern", f"{{name}}_SRF_4_{file_method}.png",
        )  # fmt: skip
    for dataset in ("Set5", "Set14"):
        rename = write_rename_csv(tmp_path / f"{dataset}.csv", dataset)
        for folder, key in SRGAN_AUTHORS_METHODS.items():
            command(
                "import_outputs", dataset, key, str(data / "outputs" / "srgan-authors" / folder),
                "--pattern", f"{{name}}_{folder}.png", "--rename", str(rename),
            )  # fmt: skip


def test_it_builds_the_paper_design_from_real_outputs_and_stand_ins(tmp_path):
    data = require_datasets()
    import_everything(data, tmp_path)

    # Without stand-ins, BSD100 has only nearest, bicubic and HR: without
    # --allow-missing-methods that is an error listing what is missing; with it the
    # methods are dropped, and the retest block with its method, saying so.
    with pytest.raises(CommandError, match=r"no srgan-vgg54 output for 100 of the 100 BSD100"):
        command("create_study", "strict", "--preset", "srgan2017")
    assert not Study.objects.exists()
    err = StringIO()
    call_command(
        "create_study", "partial", "--preset", "srgan2017", "--allow-missing-methods",
        stdout=StringIO(), stderr=err,
    )  # fmt: skip
    assert "retest block dropped: its method 'srgan-vgg54' was dropped" in err.getvalue()
    partial = Study.objects.get(name="partial")
    assert not partial.stimuli.filter(retest=True).exists()
    assert set(
        partial.stimuli.filter(output__image__dataset__name="BSD100").values_list(
            "output__method__key", flat=True
        )
    ) == {"nearest", "bicubic", "hr"}
    partial.delete()

    for dataset, keys in (("Set5", METHODS), ("Set14", METHODS), ("BSD100", BSD100_METHODS)):
        for key in keys:
            if key != "hr":
                copy_outputs(dataset=dataset, from_method="bicubic", to_method=key)
    stand_in = Output.objects.get(
        image__dataset__name="BSD100", image__name="img_001", method__key="srgan-vgg54"
    )
    bicubic = Output.objects.get(
        image__dataset__name="BSD100", image__name="img_001", method__key="bicubic"
    )
    assert (stand_in.psnr, stand_in.checksum) == (bicubic.psnr, bicubic.checksum)
    assert stand_in.source == "stand-in: copy of the bicubic output"
    # Real published outputs are kept, not overwritten by stand-ins.
    real = Output.objects.get(
        image__dataset__name="Set5", image__name="img_001", method__key="srgan-vgg54"
    )
    assert real.source.endswith("srgan-authors/SRGAN-VGG54")

    assert "1128 rating stimuli (10 retested), 40 calibration stimuli, 26 raters" in command(
        "create_study", "paper", "--preset", "srgan2017"
    )
    command("create_study", "again", "--preset", "srgan2017")
    paper = Study.objects.get(name="paper")
    # Where a real output exists, the study rates it (not a stand-in).
    stimulus = paper.stimuli.get(
        role="rating",
        output__method__key="srgan-vgg54",
        output__image__dataset__name="Set5",
        output__image__name="img_003",
    )
    assert stimulus.output.source.endswith("srgan-authors/SRGAN-VGG54")

    first, second = tmp_path / "paper.csv", tmp_path / "again.csv"
    command("export_plans", "paper", "--out", str(first))
    command("export_plans", "again", "--out", str(second))
    assert first.read_text() == second.read_text()

    plans = by_rater(export(paper))
    assert len(plans) == 26
    for plan in plans.values():
        assert len(plan) == 40 + 1128 + 10
        assert sum(row["phase"] == "rating" and row["repeat"] == "0" for row in plan) == 1128
        assert_follows_the_rules(plan)
    assert [row["method"] for row in plans[1][40:]] != [row["method"] for row in plans[2][40:]]
