"""axe-core (the npm dev dependency) run in a page: its serious and critical violations."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from harness.browser import Page

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def severe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands, each as
    {id, impact, help, nodes: [{target, summary}]}. axe's source is evaluated over the
    DevTools protocol, which the page's Content-Security-Policy does not govern."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_source())
    found = page.evaluate(
        """async (severe) => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.filter(v => severe.includes(v.impact)).map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({ target: n.target.join(' '),
                    summary: n.failureSummary }))}));
        }""",
        list(SEVERE),
    )
    return list(found)


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per offending element, for an assertion's message."""
    return "\n".join(
        f"{v['impact']} {v['id']}: {n['target']} — {n['summary']}".replace("\n", " ")
        for v in violations
        for n in v["nodes"]
    )
