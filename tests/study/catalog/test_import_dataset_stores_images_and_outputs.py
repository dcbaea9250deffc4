from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.imageio import decode_image, load_image
from srmodels.metrics import evaluate_pair
from srmodels.resize import imresize, modcrop, upscale_nearest
from study.catalog.models import Dataset, Output, SourceImage
from study.catalog.storage import read_bytes
from tests.study.catalog.images import stored_files, write_folder

pytestmark = pytest.mark.django_db


def test_it_stores_modcropped_hr_lr_and_the_cheap_outputs_with_metrics(tmp_path, media_root):
    paths = write_folder(tmp_path / "src", {"a": (50, 39), "b": (40, 48)})
    out = StringIO()
    call_command(
        "import_dataset", "Tiny", str(tmp_path / "src"), "--scale", "4", "--workers", "1",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip

    assert "Tiny: 2 imported, 0 replaced, 0 unchanged, 0 failed" in out.getvalue()
    dataset = Dataset.objects.get(name="Tiny")
    assert (dataset.scale, dataset.role) == (4, "test")
    image = SourceImage.objects.get(dataset=dataset, name="a")
    # 50x39 (h x w) mod-cropped to 48x36, LR a quarter of that.
    assert (image.height, image.width, image.lr_height, image.lr_width) == (48, 36, 12, 9)
    assert image.hr.name == "datasets/Tiny/hr/a.png"
    assert image.lr.name == "datasets/Tiny/lr/a.png"

    hr = modcrop(load_image(paths["a"]), 4)
    lr = imresize(hr, 0.25)
    assert (decode_image(read_bytes(image.hr.name), name="hr") == hr).all()
    assert (decode_image(read_bytes(image.lr.name), name="lr") == lr).all()

    outputs = {o.method.key: o for o in Output.objects.filter(image=image)}
    assert set(outputs) == {"nearest", "bicubic", "hr"}
    expected = {
        "nearest": evaluate_pair(upscale_nearest(lr, 4), hr, scale=4),
        "bicubic": evaluate_pair(imresize(lr, output_shape=hr.shape[:2]), hr, scale=4),
    }
    for key, metrics in expected.items():
        output = outputs[key]
        assert output.file.name == f"outputs/Tiny/{key}/a.png"
        assert output.origin == "generated"
        assert output.psnr == pytest.approx(metrics["psnr"], abs=1e-9)
        assert output.ssim == pytest.approx(metrics["ssim"], abs=1e-9)
        assert output.ssim_daala == pytest.approx(metrics["ssim_daala"], abs=1e-9)
    assert outputs["nearest"].psnr < outputs["bicubic"].psnr
    reference = outputs["hr"]
    assert reference.origin == "reference"
    assert reference.file.name == image.hr.name
    assert (reference.psnr, reference.ssim, reference.ssim_daala) == (None, None, None)

    # Nothing else under MEDIA_ROOT: no temporary files left behind.
    assert stored_files(media_root) == sorted(
        [f"datasets/Tiny/{kind}/{n}.png" for kind in ("hr", "lr") for n in "ab"]
        + [f"outputs/Tiny/{key}/{n}.png" for key in ("nearest", "bicubic") for n in "ab"]
    )
