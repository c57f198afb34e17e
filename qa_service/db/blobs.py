"""The audio store: redacted recordings (and later report files) by key (`BLOB_URL`).

`BlobStore` is the interface the rest of the code sees: put, open as a binary stream,
exists, delete.  Readers get a stream with its size and time, never a local path, so the web
layer serves a blob the same way whether it sits in a local or mounted directory
(`LocalBlobStore`, `file://…`) or in an S3-compatible bucket (`db.s3_blobs`, `s3://…`), with
no change to the web or the services.

Keys are relative paths such as `tenant-1/recordings/42.wav`; local writes are atomic (a
temporary file renamed into place) so a reader never sees half a recording.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlparse

from qa_service.core.errors import UserFacingError


class BlobNotFound(UserFacingError):
    pass


@dataclass
class OpenBlob:
    """A stored blob opened for reading: a seekable binary stream and what HTTP caching needs.

    Close it (or use it as a context manager) unless the stream is handed to a response
    that closes it."""

    key: str
    stream: BinaryIO
    size: int
    modified: datetime

    @property
    def etag(self) -> str:
        return f"{self.modified.timestamp():.6f}-{self.size}"

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> OpenBlob:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class BlobStore(ABC):
    """Where blobs live; pick the backend with `BlobStore.from_url(settings.blob_url)`."""

    @classmethod
    def from_url(cls, url: str) -> BlobStore:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            return LocalBlobStore(Path(parsed.path))
        if parsed.scheme == "s3":
            from qa_service.db.s3_blobs import S3BlobStore, S3Location  # boto3 loads only where it is used

            return S3BlobStore(S3Location.parse(url))
        raise UserFacingError(
            f"BLOB_URL поддерживает file:// и s3://: {url!r}",
            f"BLOB_URL supports file:// and s3://: {url!r}",
        )

    @abstractmethod
    def put_file(self, key: str, source: Path) -> None:
        """Store the file `source` under `key`, replacing what was there."""

    @abstractmethod
    def put_bytes(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing what was there."""

    @abstractmethod
    def open(self, key: str) -> OpenBlob:
        """The blob as a binary stream; `BlobNotFound` when there is none."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; nothing happens when there is none."""


class LocalBlobStore(BlobStore):
    """Blobs as files under one directory (local disk or a shared mount)."""

    def __init__(self, root: Path) -> None:
        self.root = root

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

    def open(self, key: str) -> OpenBlob:
        try:
            stream = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(f"нет записи {key}", f"no blob {key}") from None
        # Size and time of the file actually opened, even if it is replaced a moment later.
        stat = os.fstat(stream.fileno())
        return OpenBlob(key, stream, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def path(self, key: str) -> Path:
        """Local path of a stored blob: for local tools and tests only, never the web layer."""
        path = self._path(key)
        if not path.is_file():
            raise BlobNotFound(f"нет записи {key}", f"no blob {key}")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
