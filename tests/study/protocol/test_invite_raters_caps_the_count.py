"""``invite_raters --count`` is capped like the study's ``raters`` (MAX_RATERS).

Before the cap, ``--count 100000000`` started writing a hundred million raters and
their plans; the command runs in a child process so that such a run fails by timeout.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from study.protocol.config import MAX_RATERS, parse_config
from study.protocol.models import Rater
from study.protocol.services import ProtocolError, add_raters, create_study
from tests.conftest import subprocess_env
from tests.services import ROOT
from tests.study.protocol.catalog_rows import SMALL_TOML, small_catalog

pytestmark = pytest.mark.django_db(transaction=True)


def invite(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "invite_raters", "s", *args],
        cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_it_refuses_a_count_above_the_cap_at_once():
    small_catalog()
    study, _ = create_study(name="s", config=parse_config(SMALL_TOML))
    before = Rater.objects.count()

    refused = invite("--count", "100000000")
    assert refused.returncode == 1
    assert refused.stderr == ("CommandError: --count: 0 to 100000 places to add, got 100000000\n")
    with pytest.raises(ProtocolError, match=r"^count: 1 to 100000, got 100001$"):
        add_raters(study=study, count=MAX_RATERS + 1)
    assert Rater.objects.count() == before

    assert invite("--count", "2").returncode == 0
    assert Rater.objects.count() == before + 2
