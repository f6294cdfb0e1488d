"""Validation of the field paths that query builders splice into SQL text."""

from __future__ import annotations

import hashlib
import re

_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
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


def safe_id(raw: str) -> str:
    """``raw`` when it is a valid id on every backend, else a stable hash of it (Cosmos ids may
    not contain ``/ \\ ? #`` and are limited in length)."""
    if _SAFE_ID.match(raw):
        return raw
    return "h-" + hashlib.sha256(raw.encode()).hexdigest()[:48]
