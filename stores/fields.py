"""Validation of the field paths that query builders splice into SQL text."""

from __future__ import annotations

import re

_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+:-]{0,99}$")


def checked_path(path: str) -> str:
    """A dotted document path made only of identifier characters (never user input as is)."""
    if not _PATH.match(path):
        raise ValueError(f"invalid document field path: {path!r}")
    return path


def checked_name(name: str) -> str:
    """A key name (e.g. a composite dedup key ``name+domain``) safe inside a quoted SQL string."""
    if not _NAME.match(name):
        raise ValueError(f"invalid key name: {name!r}")
    return name
