from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from study.catalog.models import Output, SourceImage
from tests.study.catalog.images import write_folder

pytestmark = pytest.mark.django_db


def test_it_lists_and_shows_the_catalog_read_only(admin_client, tmp_path):
    write_folder(tmp_path / "hr", {"a": (32, 32)})
    call_command("import_dataset", "Tiny", str(tmp_path / "hr"), stdout=StringIO())
    image = SourceImage.objects.get()
    output = Output.objects.get(method__key="bicubic")

    for model in ("dataset", "sourceimage", "method", "output"):
        page = admin_client.get(f"/admin/catalog/{model}/")
        assert page.status_code == 200, model
        assert admin_client.get(f"/admin/catalog/{model}/add/").status_code == 403, model
    listing = admin_client.get(
        f"/admin/catalog/output/?method__id__exact={output.method_id}"
    ).content.decode()
    assert f"{output.psnr:.2f}" in listing
    assert "outputs/Tiny/bicubic/a.png" in listing  # the thumbnail's URL

    for url in (
        f"/admin/catalog/sourceimage/{image.pk}/change/",
        f"/admin/catalog/output/{output.pk}/change/",
    ):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert admin_client.post(url, {"psnr": "99"}).status_code == 403
    assert Output.objects.get(pk=output.pk).psnr == output.psnr
