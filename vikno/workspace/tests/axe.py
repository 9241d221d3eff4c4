"""axe-core in a Playwright page: the WCAG 2.1 A/AA violations of what the page shows now.

axe is evaluated through the DevTools protocol (`page.evaluate`) rather than added as a script tag:
Playwright's `add_script_tag` inserts an inline script, which the pages' Content-Security-Policy
(`script-src 'self'`) refuses. Evaluating it keeps the policy in force, so the browser tests still
see a real CSP violation of the application (`bypass_csp=True` would hide them).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_RUN = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(
  (result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  })))"""


@cache
def _source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations on the page as it is now (open panels and htmx swaps too)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source())
    return list(page.evaluate(_RUN, list(WCAG21_AA)))


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['targets'])}"
                     for v in violations)


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {page.url}:\n{describe(violations)}"
