"""Blobs in an S3-compatible bucket (`BLOB_URL=s3://bucket/prefix?endpoint=…&region=…&sse=…`).

boto3 is the maintained client: it signs, retries with back-off (botocore's `standard` mode), and
splits large uploads into parts; nothing here re-implements any of that.  Credentials come from
boto3's own chain (the standard `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` variables, a
profile, an instance role), so no secret ever sits in `BLOB_URL`.

Reads are ranged: `open` returns a seekable stream whose reads are `GET … Range: bytes=…`
requests, so the audio player's range requests reach the bucket as ranges and a reviewer seeking
into a two-hour call never downloads the whole recording.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from qa_service.core.errors import UserFacingError
from qa_service.db.blobs import BlobNotFound, BlobStore, OpenBlob

if TYPE_CHECKING:
    from botocore.client import BaseClient

_REFUSED = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken"}
_MISSING_BUCKET = {"NoSuchBucket"}
_MISSING_KEY = {"NoSuchKey", "404", "NotFound"}


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint: str | None
    region: str | None
    sse: str | None

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise UserFacingError(f"BLOB_URL должен иметь вид s3://корзина/префикс: {url!r}",
                                  f"BLOB_URL must look like s3://bucket/prefix: {url!r}")
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        unknown = sorted(set(query) - {"endpoint", "region", "sse"})
        if unknown:
            raise UserFacingError(f"BLOB_URL: неизвестные параметры {', '.join(unknown)}",
                                  f"BLOB_URL: unknown parameters {', '.join(unknown)}")
        return cls(parsed.netloc, parsed.path.strip("/"), query.get("endpoint"), query.get("region"), query.get("sse"))


def _code(error: Exception) -> str:
    response: dict[str, Any] = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


class _RangedReader(io.RawIOBase):
    """A seekable read-only stream over one object, each read a ranged GET."""

    def __init__(self, store: S3BlobStore, key: str, size: int) -> None:
        self._store, self._key, self._size, self._position = store, key, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readall(self) -> bytes:
        """The rest of the object in one ranged GET (io's default would ask 8 KiB at a time)."""
        if self._position >= self._size:
            return b""
        body = self._store._get_range(self._key, self._position, self._size - 1)
        self._position += len(body)
        return body

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._position >= self._size or len(view) == 0:
            return 0
        last = min(self._size, self._position + len(view)) - 1
        body = self._store._get_range(self._key, self._position, last)
        view[: len(body)] = body
        self._position += len(body)
        return len(body)


class S3BlobStore(BlobStore):
    """Blobs as objects under one prefix of one bucket."""

    # Reads come in blocks this size; the player asks for ranges of about this much.
    READ_BLOCK = 256 * 1024

    def __init__(self, location: S3Location, client: BaseClient | None = None) -> None:
        self.location = location
        self._client = client or self._make_client(location)

    @staticmethod
    def _make_client(location: S3Location) -> BaseClient:
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                        s3={"addressing_style": "path"} if location.endpoint else None)
        return boto3.client("s3", endpoint_url=location.endpoint, region_name=location.region or "us-east-1",
                            config=config)

    def _object_key(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"blob key escapes the store: {key!r}")
        return f"{self.location.prefix}/{key}" if self.location.prefix else key

    def _fail(self, error: Exception, key: str) -> Exception:
        """The one line a person reads for a refused or misconfigured store."""
        if isinstance(error, ValueError):
            return error  # a key that would leave the store: our own bug, not the store's
        code = _code(error)
        bucket = self.location.bucket
        if code in _MISSING_BUCKET:
            return UserFacingError(f"хранилище записей: нет корзины {bucket}", f"blob store: no bucket {bucket}")
        if code in _REFUSED:
            return UserFacingError(f"хранилище записей отклонило ключи доступа к корзине {bucket}",
                                   f"blob store refused the credentials for bucket {bucket}")
        if code in _MISSING_KEY:
            return BlobNotFound(f"нет записи {key}", f"no blob {key}")
        detail = code or type(error).__name__
        return UserFacingError(f"хранилище записей недоступно ({detail})", f"blob store unavailable ({detail})")

    def _extra(self) -> dict[str, str]:
        return {"ServerSideEncryption": self.location.sse} if self.location.sse else {}

    def put_file(self, key: str, source: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        try:  # boto3's transfer streams the file and uploads large ones in parts
            self._client.upload_file(str(source), self.location.bucket, self._object_key(key),
                                     ExtraArgs=self._extra() or None,
                                     Config=TransferConfig(multipart_threshold=16 * 1024 * 1024))
        except Exception as error:
            raise self._fail(getattr(error, "last_exception", None) or error, key) from None

    def put_bytes(self, key: str, data: bytes) -> None:
        try:
            self._client.put_object(Bucket=self.location.bucket, Key=self._object_key(key), Body=data, **self._extra())
        except Exception as error:
            raise self._fail(error, key) from None

    def _head(self, key: str) -> dict[str, Any]:
        return self._client.head_object(Bucket=self.location.bucket, Key=self._object_key(key))

    def _get_range(self, key: str, first: int, last: int) -> bytes:
        try:
            response = self._client.get_object(Bucket=self.location.bucket, Key=self._object_key(key),
                                               Range=f"bytes={first}-{last}")
            return response["Body"].read()
        except Exception as error:
            raise self._fail(error, key) from None

    def open(self, key: str) -> OpenBlob:
        try:
            head = self._head(key)
        except Exception as error:
            raise self._fail(error, key) from None
        size = int(head["ContentLength"])
        stream = io.BufferedReader(_RangedReader(self, key, size), buffer_size=self.READ_BLOCK)
        return OpenBlob(key, stream, size, head["LastModified"])

    def exists(self, key: str) -> bool:
        try:
            self._head(key)
        except Exception as error:
            if _code(error) in _MISSING_KEY:
                return False
            raise self._fail(error, key) from None
        return True

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.location.bucket, Key=self._object_key(key))
        except Exception as error:
            if _code(error) not in _MISSING_KEY:
                raise self._fail(error, key) from None

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under `prefix` (for the card scan and retention)."""
        paginator = self._client.get_paginator("list_objects_v2")
        base = self._object_key(prefix) if prefix else (f"{self.location.prefix}/" if self.location.prefix else "")
        found = []
        try:
            for page in paginator.paginate(Bucket=self.location.bucket, Prefix=base):
                for item in page.get("Contents", []):
                    found.append(item["Key"][len(self.location.prefix) + 1 :] if self.location.prefix else item["Key"])
        except Exception as error:
            raise self._fail(error, prefix) from None
        return found
