from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from srmodels.imageio import save_png
from study.catalog.models import Output
from tests.study.catalog.images import photo, write_folder

pytestmark = pytest.mark.django_db


def test_it_maps_file_names_to_image_names_through_the_csv(tmp_path):
    write_folder(tmp_path / "hr", {"img_001": (32, 32), "img_002": (32, 32)})
    call_command("import_dataset", "Named", str(tmp_path / "hr"), stdout=StringIO())
    folder = tmp_path / "authors"
    folder.mkdir()
    for seed, name in enumerate(["baby", "bird", "baboon"]):
        save_png(folder / f"{name}_SRGAN-VGG54.png", photo(32, 32, seed))
    rename = tmp_path / "rename.csv"
    rename.write_text("from,to\nbaby,img_001\nbird,img_002\n")
    err = StringIO()

    call_command(
        "import_outputs", "Named", "srgan-vgg54", str(folder), "--pattern",
        "{name}_SRGAN-VGG54.png", "--rename", str(rename), stdout=StringIO(), stderr=err,
    )  # fmt: skip

    assert sorted(Output.objects.filter(method__key="srgan-vgg54").values_list(
        "image__name", "file"
    )) == [
        ("img_001", "outputs/Named/srgan-vgg54/img_001.png"),
        ("img_002", "outputs/Named/srgan-vgg54/img_002.png"),
    ]  # fmt: skip
    assert "extra (1): not an image of Named: baboon_SRGAN-VGG54.png" in err.getvalue()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("old,new\nbaby,img_001\n", "needs a header with columns 'from,to'"),
        ("from,to\nbaby,img_001\nbaby,img_002\n", "line 3: 'baby' is renamed twice"),
        ("from,to\nbaby,img_001\nbird,img_001\n", "line 3: 'bird' and 'baby' both map to"),
        ("from,to\nbaby,\n", "line 2: 'from' and 'to' must both be given"),
    ],
)
def test_it_rejects_a_bad_rename_csv_naming_the_line(tmp_path, text, message):
    write_folder(tmp_path / "hr", {"img_001": (32, 32)})
    call_command("import_dataset", "Named", str(tmp_path / "hr"), stdout=StringIO())
    rename = tmp_path / "rename.csv"
    rename.write_text(text)

    with pytest.raises(CommandError, match=message):
        call_command(
            "import_outputs", "Named", "srcnn", str(tmp_path / "hr"), "--pattern", "{name}.png",
            "--rename", str(rename),
        )  # fmt: skip
    assert not Output.objects.filter(method__key="srcnn").exists()
