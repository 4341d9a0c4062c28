"""Packages only some deployments need (Redis, PostgreSQL), imported when configured."""

from __future__ import annotations

import importlib
from types import ModuleType

#: the requirements file that has every package a deployment of several processes needs
SCALE_REQUIREMENTS = "requirements-scale.txt"


class MissingPackage(RuntimeError):
    """A configured feature's package is not installed; the message is one line naming it."""


def require(module: str, package: str, why: str) -> ModuleType:
    """Import `module`, or raise MissingPackage saying which package `why` needs."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingPackage(
            f"{why} needs the Python package {package}, which is not installed: "
            f"pip install -r {SCALE_REQUIREMENTS}"
        ) from None
