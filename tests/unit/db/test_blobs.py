"""The blob store interface: readers get a stream with its size, never a path; keys stay inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from qa_service.db.blobs import BlobNotFound, BlobStore, LocalBlobStore
from qa_service.web.blobs import blob_response


def test_file_url_gives_a_local_store_that_round_trips(tmp_path: Path) -> None:
    store = BlobStore.from_url(f"file://{tmp_path}")
    assert isinstance(store, LocalBlobStore)
    source = tmp_path / "in.wav"
    source.write_bytes(b"RIFF" + b"\x01" * 96)
    store.put_file("tenant-1/recordings/1.wav", source)
    store.put_bytes("tenant-1/reports/a.pdf", b"%PDF-1.7")
    with store.open("tenant-1/recordings/1.wav") as blob:
        assert blob.size == 100 and blob.stream.read(4) == b"RIFF"
        assert blob.modified.tzinfo is not None
    assert blob.stream.closed
    assert store.exists("tenant-1/reports/a.pdf")
    store.delete("tenant-1/reports/a.pdf")
    store.delete("tenant-1/reports/a.pdf")  # deleting twice is fine
    with pytest.raises(BlobNotFound):
        store.open("tenant-1/reports/a.pdf")
    assert not list(tmp_path.rglob(".tmp-*"))  # atomic writes leave no temporaries


def test_keys_cannot_escape_and_other_schemes_are_refused(tmp_path: Path) -> None:
    store = BlobStore.from_url(f"file://{tmp_path / 'store'}")
    with pytest.raises(ValueError, match="escapes"):
        store.open("../outside")
    with pytest.raises(BlobNotFound):
        store.open("tenant-1")  # a folder is not a blob
    with pytest.raises(Exception, match="BLOB_URL"):
        BlobStore.from_url("ftp://host/blobs")


def test_a_blob_is_served_as_a_stream_with_ranges_and_validators(tmp_path: Path) -> None:
    store = BlobStore.from_url(f"file://{tmp_path}")
    store.put_bytes("r/1.wav", bytes(range(200)))
    opened = []
    app = Flask(__name__)

    @app.get("/blob")
    def serve():  # type: ignore[no-untyped-def]
        blob = store.open("r/1.wav")
        opened.append(blob)
        return blob_response(blob)

    client = app.test_client()
    with client.get("/blob") as full:
        assert full.status_code == 200 and full.data == bytes(range(200))
        assert full.mimetype == "audio/x-wav" and full.headers["Cache-Control"] == "private, no-store"
        etag = full.headers["ETag"]
    with client.get("/blob", headers={"Range": "bytes=10-19"}) as part:
        assert part.status_code == 206 and part.data == bytes(range(10, 20))
        assert part.headers["Content-Range"] == "bytes 10-19/200"
    with client.get("/blob", headers={"If-None-Match": etag}) as cached:
        assert cached.status_code == 304
    with client.get("/blob", headers={"Range": "bytes=500-600"}) as refused:
        assert refused.status_code == 416
    assert all(blob.stream.closed for blob in opened)
