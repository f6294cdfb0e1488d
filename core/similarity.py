"""Key normalisation and string similarity for deduplication.

``normalize_text`` makes business keys comparable (trim, casefold, collapse whitespace);
``normalize_name`` also drops punctuation and corporate suffixes (Inc, LLC, Ltd, GmbH...)
so that "Acme, Inc." and "ACME Incorporated" compare equal. ``similarity`` is a
token-sort ratio: word order does not matter, every word counts.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from typing import Any

_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")
CORPORATE_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "plc", "gmbh", "ag", "sa", "sas", "sarl", "bv", "nv", "pty", "llp", "lp", "oy", "ab", "srl", "spa",
})


def normalize_text(value: Any) -> str | None:
    """Trim, casefold, collapse whitespace, Unicode NFKC; ``None`` for missing or blank values."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()
    return text or None


def normalize_name(value: Any) -> str | None:
    """``normalize_text`` plus punctuation and trailing corporate suffixes removed."""
    text = normalize_text(value)
    if text is None:
        return None
    # E-mail addresses keep their punctuation: it is part of the identity.
    words = text.split() if "@" in text else _PUNCTUATION.sub(" ", text).split()
    # Strip suffixes from the end only ("Co Op Bank" keeps its "co"), but keep at least one word.
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words) or None


def similarity(a: str, b: str) -> float:
    """Token-sort similarity in [0, 1] of two normalised strings."""
    if a == b:
        return 1.0
    left, right = " ".join(sorted(a.split())), " ".join(sorted(b.split()))
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    # quick_ratio is an upper bound of ratio and much cheaper; callers compare to a threshold.
    if matcher.real_quick_ratio() == 0.0:
        return 0.0
    return matcher.ratio()


def blocking_tokens(normalised: str) -> frozenset[str]:
    """The blocks a normalised key is compared within: the first 3 characters of each word.

    Two keys are compared only when they share a block, which keeps fuzzy matching of a page
    against many shards cheap while still finding reordered and misspelt names.
    """
    return frozenset(word[:3] for word in normalised.split())
