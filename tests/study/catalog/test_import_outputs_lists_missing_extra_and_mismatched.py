from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from srmodels.imageio import decode_image, load_image, save_png
from srmodels.metrics import evaluate_pair
from study.catalog.models import Method, Output
from study.catalog.storage import read_bytes
from tests.study.catalog.images import photo, stored_files, write_folder

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(tmp_path):
    write_folder(tmp_path / "hr", {"a": (32, 32), "b": (32, 40), "c": (24, 24)})
    call_command(
        "import_dataset", "Small", str(tmp_path / "hr"), stdout=StringIO(), stderr=StringIO()
    )
    return "Small"


def test_it_imports_matching_files_and_names_the_others(dataset, tmp_path, media_root):
    folder = tmp_path / "published"
    folder.mkdir()
    save_png(folder / "a_x.png", photo(32, 32, 10))
    save_png(folder / "b_x.png", photo(30, 40, 11))  # HR is 32x40
    save_png(folder / "zebra_x.png", photo(32, 32, 12))  # no such image
    (folder / "notes.txt").write_text("ignored: does not match the pattern")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 image"):
        call_command(
            "import_outputs", dataset, "SelfExSR", str(folder), "--pattern", "{name}_x.png",
            "--label", "SelfExSR", stdout=out, stderr=err,
        )  # fmt: skip

    messages = err.getvalue()
    assert "missing (1): no file for c" in messages
    assert "extra (1): not an image of Small: zebra_x.png" in messages
    assert "b_x.png: size 40x30 does not match its HR image 40x32" in messages
    assert "Small/selfexsr: 1 imported, 0 replaced, 0 unchanged, 1 failed, 1 missing, 1 extra" in (
        out.getvalue()
    )

    method = Method.objects.get(key="selfexsr")
    assert (method.label, method.kind) == ("SelfExSR", "external")
    output = Output.objects.get(method=method)
    assert output.image.name == "a"
    assert output.origin == "imported"
    assert output.source == str(folder.resolve())
    assert output.file.name == "outputs/Small/selfexsr/a.png"
    sr = load_image(folder / "a_x.png")
    hr = decode_image(read_bytes(output.image.hr.name), name="hr")
    assert output.psnr == pytest.approx(evaluate_pair(sr, hr, scale=4)["psnr"], abs=1e-9)
    assert not [n for n in stored_files(media_root) if "selfexsr/b" in n or ".tmp-" in n]


def test_it_fails_when_no_file_is_an_image_of_the_dataset(dataset, tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    save_png(folder / "zebra_x.png", photo(32, 32, 12))

    with pytest.raises(CommandError, match="nothing imported"):
        call_command(
            "import_outputs", dataset, "srcnn", str(folder), "--pattern", "{name}_x.png",
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip

    assert not Output.objects.filter(method__key="srcnn").exists()


def test_it_refuses_an_unknown_dataset(tmp_path):
    with pytest.raises(CommandError, match="unknown dataset 'Nope'"):
        call_command("import_outputs", "Nope", "srcnn", str(tmp_path), "--pattern", "{name}.png")
