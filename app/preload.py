"""A page module's static imports, all of them, for `<link rel="modulepreload">` in its page.

Without a bundler the browser finds a module's imports only once it has that module: main.js,
then board.js, then cells.js, then state.js, ... one round trip per level (six on the
dashboard). Named in the page, every module of the graph is asked for at once, right after the
HTML. Dynamic `import()`s (what a page loads on demand) are left out on purpose.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.assets import Assets

#: `import x from "./a.js"`, `import { a,\n b } from "../vendor/b.js"`, `import "./c.js"`
STATIC_IMPORT = re.compile(r"""^\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']""", re.M)


def imports(source: str, name: str) -> list[str]:
    """The served names that module `name` (e.g. js/main.js) imports statically."""
    folder = posixpath.dirname(name)
    return [
        posixpath.normpath(posixpath.join(folder, spec))
        for spec in STATIC_IMPORT.findall(source)
        if spec.startswith(("./", "../"))
    ]


def module_graph(assets: Assets, name: str) -> list[str]:
    """Every module `name` needs before it runs (itself excluded), nearest first."""
    seen: dict[str, None] = {}
    queue = [name]
    while queue:
        current = queue.pop(0)
        asset = assets.get(current)
        if asset is None or not current.endswith(".js"):
            continue
        for found in imports(asset.data.decode(), current):
            if found not in seen and found != name:
                seen[found] = None
                queue.append(found)
    return list(seen)
