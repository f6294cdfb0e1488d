"""``SecretStore`` on the local disk (devhost, laptops): one file per secret, mode 0600, in a
0700 directory, written atomically (temporary file + rename) so a crash never leaves half a
secret. File names are hashes, so secret names (tenant and integration ids) stay off the disk
listing too."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import SecretStr

from stores.secrets.base import reveal


class LocalSecretStore:
    def __init__(self, directory: str | Path) -> None:
        self._dir = Path(directory)
        self._dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self._dir, 0o700)

    def __repr__(self) -> str:
        return f"LocalSecretStore({str(self._dir)!r})"

    def _path(self, name: str) -> Path:
        return self._dir / (hashlib.sha256(name.encode()).hexdigest() + ".secret")

    def get(self, name: str) -> SecretStr | None:
        try:
            return SecretStr(self._path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def set(self, name: str, value: str | SecretStr) -> None:
        path = self._path(name)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        # Created 0600 from the start: the value is never readable by others, not even briefly.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(reveal(value))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True
