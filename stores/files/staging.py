"""``StagingStore`` as files: one file per staged page, under ``<root>/<tenant>.tenant/<key>.page``.

A page is written once, read once or twice, then deleted, so a plain file is all it needs: in SQLite every
page also went through the write-ahead log and was copied again by a checkpoint, and each activity thread's
connection kept a page cache of its own. Bodies are ``encode_page``'s, as in the SQLite store.

Crash safety: ``put`` writes a temporary file next to the page and renames it over the page (``os.replace``
is atomic), so a reader finds the old page, the new one or none, never half of one. There is no fsync: like
the SQLite stores (``synchronous=NORMAL``), a staged page survives a crash of the process, not a power loss.
A crash between the write and the rename leaves a ``.tmp`` file, which ``purge_before`` removes.

Names: tenant ids and keys are percent-encoded (``quote(safe="")``: no ``/``, never ``.`` or ``..`` thanks to
the suffix), so ``delete_prefix`` reads keys back from names. One whose name would exceed ``MAX_NAME_BYTES``
is named ``#<sha256>`` instead (``#`` never appears in an encoded name) and its file starts with the encoded
key and a newline. ``purge_before`` goes by the file's mtime, which ``put`` sets from the store's clock.

Upgrade: pages staged by earlier versions in the SQLite staging database are still read when no file holds
the key (``legacy``), and ``delete``, ``delete_prefix`` and ``purge_before`` clear them too: a transform or
save that found no page would take it as already done, and the records would be lost.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from stores.documents import utc_now
from stores.files.recent import FileIdentity, RecentPages
from stores.staging import StagingStore, decode_page, encode_page

MAX_NAME_BYTES = 200  # under NAME_MAX (255) with room for the suffixes and a temporary file's token
_TENANT, _PAGE, _TMP, _HASHED = ".tenant", ".page", ".tmp", "#"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _name(text: str, suffix: str) -> str:
    """A file name for ``text``: percent-encoded, or hashed when that would be too long."""
    encoded = quote(text, safe="")
    if len(encoded) > MAX_NAME_BYTES:  # all ASCII: characters are bytes
        return f"{_HASHED}{hashlib.sha256(text.encode()).hexdigest()}{suffix}"
    return encoded + suffix


def _ns(when: datetime) -> int:
    """``when`` as nanoseconds since the epoch (naive: UTC), exactly, for ``os.utime`` and ``st_mtime_ns``."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(microseconds=1) * 1000


def _unlink(path: str | Path) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:  # gone already (another thread or process deleted it)
        return False
    return True


def _entries(directory: str | Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as found:
            return list(found)
    except FileNotFoundError:
        return []


def _key_header(path: str | Path) -> str:
    """The key at the start of a hashed page file."""
    with open(path, "rb") as file:
        return unquote(file.readline().rstrip(b"\n").decode("ascii"))


class FileStagingStore:
    """Staged pages as files under ``root``; ``legacy`` is the staging store of earlier versions, if any."""

    def __init__(self, root: Path, *, clock: Callable[[], datetime] = utc_now,
                 legacy: StagingStore | None = None, recent: RecentPages | None = None) -> None:
        self._root = root
        self._clock = clock
        self._legacy = legacy
        self._recent = recent

    def _path(self, tenant_id: str, key: str) -> Path:
        return self._root / _name(tenant_id, _TENANT) / _name(key, _PAGE)

    def put(self, tenant_id: str, key: str, records: list[dict[str, Any]]) -> None:
        chunks = [encode_page(records)]
        path = self._path(tenant_id, key)
        if path.name.startswith(_HASHED):
            chunks.insert(0, quote(key, safe="").encode("ascii") + b"\n")
        staged_at = _ns(self._clock())
        temporary = path.with_name(f"{path.name}.{secrets.token_hex(8)}{_TMP}")
        try:
            _write_new(temporary, chunks)
            os.utime(temporary, ns=(staged_at, staged_at))
            identity = FileIdentity.of(temporary) if self._recent is not None else None
            os.replace(temporary, path)
        except BaseException:
            _unlink(temporary)
            raise
        if self._recent is not None and identity is not None:
            self._recent.keep(str(path), identity, records)

    def get(self, tenant_id: str, key: str) -> list[dict[str, Any]] | None:
        path = self._path(tenant_id, key)
        kept = self._recent.take(str(path)) if self._recent is not None else None
        if kept is not None:
            return kept
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return self._legacy.get(tenant_id, key) if self._legacy is not None else None
        if path.name.startswith(_HASHED):
            header, _, data = data.partition(b"\n")
            if unquote(header.decode("ascii")) != key:  # a SHA-256 collision: not this key's page
                return None
        return decode_page(data)

    def delete(self, tenant_id: str, key: str) -> bool:
        path = self._path(tenant_id, key)
        if self._recent is not None:
            self._recent.forget(str(path))
        found = _unlink(path)
        if self._legacy is not None:
            found = self._legacy.delete(tenant_id, key) or found
        return found

    def delete_prefix(self, tenant_id: str, prefix: str) -> int:
        deleted = 0
        for entry in _entries(self._root / _name(tenant_id, _TENANT)):
            if entry.name.endswith(_PAGE) and self._key_of(entry).startswith(prefix):
                deleted += _unlink(entry.path)
        if self._legacy is not None:
            deleted += self._legacy.delete_prefix(tenant_id, prefix)
        return deleted

    @staticmethod
    def _key_of(entry: os.DirEntry[str]) -> str:
        if not entry.name.startswith(_HASHED):
            return unquote(entry.name.removesuffix(_PAGE))
        try:
            return _key_header(entry.path)
        except FileNotFoundError:
            return ""  # deleted meanwhile: nothing to match

    def purge_before(self, cutoff: datetime) -> int:
        """Pages staged before ``cutoff``, and temporary files a crash left, of every tenant."""
        cutoff_ns, purged = _ns(cutoff), 0
        for tenant in _entries(self._root):
            for entry in _entries(tenant.path) if tenant.name.endswith(_TENANT) else ():
                if entry.name.endswith((_PAGE, _TMP)) and _older(entry, cutoff_ns) and _unlink(entry.path):
                    purged += entry.name.endswith(_PAGE)  # leftovers are not pages
        if self._legacy is not None:
            purged += self._legacy.purge_before(cutoff)
        return purged


def _older(entry: os.DirEntry[str], cutoff_ns: int) -> bool:
    try:
        return entry.stat().st_mtime_ns < cutoff_ns
    except FileNotFoundError:
        return False


def _write_new(path: Path, chunks: list[bytes]) -> None:
    """Write ``chunks`` to a new file ``path``, creating its tenant's directory on first use."""
    try:
        file = open(path, "xb")  # noqa: SIM115 (closed below; opened apart to retry after the mkdir)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        file = open(path, "xb")  # noqa: SIM115
    with file:
        for chunk in chunks:
            file.write(chunk)
