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


def sort_tokens(normalised: str) -> str:
    """The words of ``normalised`` in sorted order: the form ``sorted_ratio`` compares."""
    return " ".join(sorted(normalised.split()))


def sorted_ratio(left: str, right: str, floor: float = 0.0) -> float:
    """Similarity of two token-sorted strings; 0.0 as soon as it is known to be below ``floor``."""
    if left == right:
        return 1.0
    total = len(left) + len(right)
    # 2*min/total bounds the ratio from above and costs nothing: skip hopeless pairs early.
    if total == 0 or 2.0 * min(len(left), len(right)) / total < floor:
        return 0.0
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    if floor > 0.0 and matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """Token-sort similarity in [0, 1] of two normalised strings (word order does not matter)."""
    return sorted_ratio(sort_tokens(a), sort_tokens(b), floor)


def blocking_tokens(normalised: str) -> frozenset[str]:
    """The blocks a normalised key is compared within: the first 3 characters of each word.

    Two keys are compared only when they share a block, which keeps fuzzy matching of a page
    against many shards cheap while still finding reordered and misspelt names.
    """
    return frozenset(word[:3] for word in normalised.split())
