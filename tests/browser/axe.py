"""axe-core (the npm package) in Chromium: the accessibility rules WCAG checkers use.

axe-core is not a Python package: install it once with
``npm install --no-save --prefix .cache/axe axe-core@4`` (or point ``AXE_CORE_JS`` at
an ``axe.min.js``). Absent, the tests that need it skip with this message, or fail
under ``REQUIRE_SERVICES=1`` (CI installs it).

The site's Content-Security-Policy allows scripts from the site only, so the page's
context must bypass it (``bypass_csp=True``) for Playwright to inject axe.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests import services

AXE_JS = Path(
    os.environ.get(
        "AXE_CORE_JS", services.ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    )
)
# What the acceptance asks for: no violation of these impacts.
BLOCKING = ("serious", "critical")


def require_axe() -> Path:
    if not AXE_JS.exists():
        services.unavailable(
            f"axe-core is not installed at {AXE_JS} (cd {services.ROOT} && npm install "
            "--no-save --prefix .cache/axe axe-core@4, or set AXE_CORE_JS)"
        )
    return AXE_JS


def blocking_violations(page: Any) -> list[str]:
    """Run axe on the page as it is; one line per serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(require_axe()))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary)
            }));
        }"""
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}; " + " | ".join(v["nodes"][:3])
        for v in result
        if v["impact"] in BLOCKING
    ]
