from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from srmodels.imageio import decode_image
from srmodels.metrics import evaluate_pair
from srmodels.resize import imresize
from study.catalog.models import SourceImage
from study.catalog.services import CatalogError, save_output
from study.catalog.storage import read_bytes
from tests.study.catalog.images import write_folder

pytestmark = pytest.mark.django_db


def test_it_stores_pixels_with_their_metrics_and_replaces_only_on_request(tmp_path, media_root):
    write_folder(tmp_path / "hr", {"a": (48, 48)})
    call_command("import_dataset", "Gen", str(tmp_path / "hr"), stdout=StringIO())
    image = SourceImage.objects.get()
    hr = decode_image(read_bytes(image.hr.name), name="hr")
    lr = decode_image(read_bytes(image.lr.name), name="lr")
    sr = imresize(lr, 4.0)

    output = save_output(
        image=image, method="srresnet-mse", pixels=sr, source="weights/x", weights_checksum="f" * 64
    )

    assert output.file.name == "outputs/Gen/srresnet-mse/a.png"
    assert (decode_image(read_bytes(output.file.name), name="sr") == sr).all()
    assert output.psnr == pytest.approx(evaluate_pair(sr, hr, scale=4)["psnr"], abs=1e-9)
    assert (output.origin, output.method.label, output.weights_checksum) == (
        "generated", "SRResNet", "f" * 64
    )  # fmt: skip
    with pytest.raises(CatalogError, match="already has a srresnet-mse output"):
        save_output(image=image, method="srresnet-mse", pixels=sr)
    with pytest.raises(CatalogError, match="is 40x48, HR is 48x48"):
        save_output(image=image, method="srgan-vgg54", pixels=sr[:, :40])

    darker = (sr // 2).astype(sr.dtype)
    replaced = save_output(image=image, method="srresnet-mse", pixels=darker, replace=True)
    assert replaced.pk == output.pk
    assert replaced.psnr < output.psnr
    assert not list(media_root.rglob(".tmp-*"))
