"""``import_ratings`` of an exported choices.csv into another study gives the same statistics."""

from __future__ import annotations

import pytest
from pandas.testing import assert_frame_equal

from study.pairwise.models import Choice, Trial
from study.protocol.models import Rater, RaterBatch
from tests.study.pairwise.exporting import export, run, simulated_study, table
from tests.study.pairwise.factories import make_two_image_study

pytestmark = pytest.mark.django_db


def test_it_imports_an_exported_choices_csv_to_the_same_pairwise_and_scale_tables(tmp_path):
    source = simulated_study(count=3)
    first = export(source, tmp_path / "first")
    choices = table(first, "choices.csv")
    # The other study has a rater "1" of its own: the imported raters are renamed.
    choices["rater"] = "lab-" + choices["rater"]
    choices.to_csv(tmp_path / "choices.csv", index=False)
    target = make_two_image_study(name="copy", raters=1)

    message = run("import_ratings", str(tmp_path / "choices.csv"), "--study", "copy")
    assert message == (
        # server_ms is this site's clock: imported choices were not timed here.
        "study 'copy': 18 choices of 3 raters imported\nignored columns: simulated, server_ms\n"
    )
    imported = Rater.objects.filter(study=target, external_source="import").order_by("number")
    assert [(r.number, r.external_id) for r in imported] == [
        (2, "lab-2"), (3, "lab-3"), (4, "lab-4"),
    ]  # fmt: skip
    assert all(r.finished_at is not None and r.position == 6 for r in imported)
    # method_a (the file's left) is shown on the left, in the file's positions.
    trial = Trial.objects.get(rater=imported[0], position=0)
    row = choices.iloc[0]
    assert (trial.left.output.method.key, trial.right.output.method.key) == (row.left, row.right)
    assert Choice.objects.get(trial=trial).chose_left == (row.chosen == row.left)
    batch = RaterBatch.objects.get(study=target)
    assert (batch.kind, batch.first_number, batch.last_number) == ("imported", 2, 4)
    assert batch.parameters["rows"] == 18

    second = export(target, tmp_path / "second")
    for name in ("pairwise.csv", "scale.csv"):
        assert_frame_equal(table(second, name), table(first, name), check_exact=True)
    again = table(second, "choices.csv")
    assert list(again["rater"]) == list(choices["rater"])
    assert list(again["submitted_at"]) == list(choices["submitted_at"])
