"""The audio store: redacted recordings by key, in a local or mounted directory (`BLOB_URL`).

Keys are relative paths such as `tenant-1/recordings/42.ogg`; writes are atomic (a
temporary file renamed into place) so a reader never sees half a recording.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from qa_service.core.errors import UserFacingError


class BlobNotFound(UserFacingError):
    pass


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def from_url(cls, url: str) -> BlobStore:
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise UserFacingError(
                f"BLOB_URL поддерживает только file://: {url!r}",
                f"BLOB_URL supports file:// only: {url!r}",
            )
        return cls(Path(parsed.path))

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        # Keys come from our own code, but never let one escape the store.
        if self.root.resolve() not in path.parents:
            raise ValueError(f"blob key escapes the store: {key!r}")
        return path

    def put_file(self, key: str, source: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def path(self, key: str) -> Path:
        """Local path of a stored blob (for streaming with range requests)."""
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(f"нет записи {key}", f"no blob {key}")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
