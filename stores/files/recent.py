"""Pages this process staged lately, kept decoded, so the activity that reads one next skips the decoding.

A pull sync stages each page twice (fetched, then mapped) and reads each back once, usually in the process
that wrote it; decoding the file again costs about as much as the mapping. The file stays the truth: an
entry is used only while the file is the one it was written as (same inode, size and modification time: a
rewrite is a new file renamed over the old one), and an entry is handed out once (the reader owns and may
change the records; a second read decodes the file). Bounded by records, oldest first out, since pages whose
reader runs in another process, or never comes, would otherwise pile up.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, NamedTuple

DEFAULT_MAX_RECORDS = 8_000  # a few 2,000-record pages: the fetch-ahead backlog of one or two mappings


class FileIdentity(NamedTuple):
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | os.PathLike[str]) -> FileIdentity | None:
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(found.st_ino, found.st_size, found.st_mtime_ns)


class RecentPages:
    """Decoded pages by path, each with the identity of the file it was written to."""

    def __init__(self, max_records: int = DEFAULT_MAX_RECORDS) -> None:
        self._max = max_records
        self._pages: OrderedDict[str, tuple[FileIdentity, list[dict[str, Any]]]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def keep(self, path: str, identity: FileIdentity, records: list[dict[str, Any]]) -> None:
        """Remember ``records`` (the caller hands them over) as the content of ``path`` as written."""
        if len(records) > self._max:
            self.forget(path)
            return
        with self._lock:
            self._drop(path)
            self._pages[path] = (identity, records)
            self._held += len(records)
            while self._held > self._max:
                self._drop(next(iter(self._pages)))

    def take(self, path: str) -> list[dict[str, Any]] | None:
        """The records kept for ``path`` if the file is still the one they were written to (then forgotten)."""
        with self._lock:
            entry = self._drop(path)
        if entry is None:
            return None
        identity, records = entry
        return records if FileIdentity.of(path) == identity else None

    def forget(self, path: str) -> None:
        with self._lock:
            self._drop(path)

    def _drop(self, path: str) -> tuple[FileIdentity, list[dict[str, Any]]] | None:
        entry = self._pages.pop(path, None)
        if entry is not None:
            self._held -= len(entry[1])
        return entry
