"""The rating page's text on the neutral grey behind the stimuli reads at WCAG's 4.5:1.

The grey itself stays (mid grey behind stimuli, ITU-T P.910 practice); the text on it
changes colour. The browser check (axe-core) is tests/browser/test_rater_pages_pass_axe.
"""

from __future__ import annotations

import re

from study.analysis.panels import contrast_ratio
from tests.services import ROOT

CSS = (ROOT / "static" / "css" / "site.css").read_text()


def variable(name: str) -> str:
    found = re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", CSS)
    assert found, name
    return found.group(1).lower()


def test_it_writes_text_on_the_grey_at_4_5_to_1():
    grey, text = variable("grey"), variable("on-grey")
    assert grey == "#808080"
    assert contrast_ratio(text, grey) >= 4.5
    assert round(contrast_ratio("#ffffff", grey), 2) == 3.95  # what white text had
    rule = re.search(r"body\.rating-page\s*\{([^}]*)\}", CSS)
    assert rule
    assert "color: var(--on-grey)" in rule.group(1)
