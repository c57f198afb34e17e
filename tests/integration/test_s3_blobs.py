"""The S3-compatible blob store against a real S3 protocol server on loopback.

The server is moto's server mode (`ThreadedMotoServer`): the closest real part to an S3 server
that this machine can run. It speaks the S3 HTTP protocol over a real socket, so boto3 signs,
retries and sends ranges exactly as it does against MinIO or AWS; only the storage behind it is
moto's in-memory one.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from flask import Flask

from qa_service.core.errors import UserFacingError
from qa_service.db.blobs import BlobNotFound, BlobStore
from qa_service.db.s3_blobs import S3BlobStore, S3Location
from qa_service.web.blobs import blob_response

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto keeps its buckets in the process, across servers: each test starts from an empty store.
    httpx.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="recordings")
    try:
        yield endpoint
    finally:
        server.stop()


def test_s3_url_gives_a_store_that_round_trips_and_streams_ranges(s3_endpoint: str, tmp_path: Path) -> None:
    store = BlobStore.from_url(f"s3://recordings/qa/prod?endpoint={s3_endpoint}&sse=AES256")
    assert isinstance(store, S3BlobStore)
    audio = bytes(range(256)) * 4096  # 1 MiB, so a read spans several ranged requests
    source = tmp_path / "call.wav"
    source.write_bytes(audio)
    store.put_file("tenant-1/recordings/1.wav", source)
    store.put_bytes("tenant-1/reports/a.pdf", b"%PDF-1.7")
    with store.open("tenant-1/recordings/1.wav") as blob:
        assert blob.size == len(audio) and blob.modified.tzinfo is not None
        blob.stream.seek(700_000)
        assert blob.stream.read(10) == audio[700_000:700_010]
        blob.stream.seek(0)
        assert blob.stream.read() == audio
    assert store.exists("tenant-1/reports/a.pdf") and not store.exists("tenant-1/reports/b.pdf")
    assert sorted(store.keys("tenant-1")) == ["tenant-1/recordings/1.wav", "tenant-1/reports/a.pdf"]
    # The prefix is where the objects live in the bucket, and the encryption was asked for.
    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    head = raw.head_object(Bucket="recordings", Key="qa/prod/tenant-1/recordings/1.wav")
    assert head["ServerSideEncryption"] == "AES256"
    store.delete("tenant-1/reports/a.pdf")
    store.delete("tenant-1/reports/a.pdf")  # deleting twice is fine
    with pytest.raises(BlobNotFound):
        store.open("tenant-1/reports/a.pdf")
    with pytest.raises(ValueError, match="escapes"):
        store.open("../outside")


def test_the_players_range_request_is_served_from_the_bucket(s3_endpoint: str) -> None:
    store = BlobStore.from_url(f"s3://recordings?endpoint={s3_endpoint}")
    audio = b"RIFF" + bytes(range(256)) * 100
    store.put_bytes("tenant-1/recordings/7.wav", audio)
    app = Flask(__name__)

    @app.get("/audio")
    def audio_view():  # type: ignore[no-untyped-def]
        return blob_response(store.open("tenant-1/recordings/7.wav"), "audio/wav")

    response = app.test_client().get("/audio", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(audio)}"
    assert response.get_data() == audio[100:200]


def test_a_missing_bucket_and_an_unknown_parameter_are_one_line_each(
    s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = S3BlobStore(S3Location.parse(f"s3://no-such-bucket?endpoint={s3_endpoint}"))
    with pytest.raises(UserFacingError, match="нет корзины no-such-bucket") as refused:
        missing.put_bytes("a", b"x")
    assert "\n" not in refused.value.one_line() and "no bucket no-such-bucket" in refused.value.one_line()
    with pytest.raises(UserFacingError, match="BLOB_URL: неизвестные параметры colour"):
        S3Location.parse(f"s3://recordings?endpoint={s3_endpoint}&colour=red")


def test_a_server_that_does_not_answer_is_a_clear_error_not_a_hang() -> None:
    dead = S3BlobStore(S3Location.parse(f"s3://recordings?endpoint=http://127.0.0.1:{_free_port()}"))
    with pytest.raises(UserFacingError, match="хранилище записей недоступно"):
        dead.exists("tenant-1/recordings/1.wav")


def test_the_card_scan_reads_every_blob_of_the_bucket(s3_endpoint: str) -> None:
    from qa_service.services.card_scan import CardScanReport, scan_blob_store

    store = BlobStore.from_url(f"s3://recordings/qa?endpoint={s3_endpoint}")
    store.put_bytes("tenant-1/exports/leak.txt", "оплата картой 4111 1111 1111 1111".encode())
    store.put_bytes("tenant-1/exports/clean.txt", "Добрый день, рейс SU-1402".encode())
    report = CardScanReport()
    scan_blob_store(store, report)
    assert sorted(report.files) == ["s3://recordings/tenant-1/exports/clean.txt",
                                    "s3://recordings/tenant-1/exports/leak.txt"]
    [finding] = report.findings
    assert finding.where == "s3://recordings/tenant-1/exports/leak.txt"
    assert "4111 1111" not in finding.line()  # masked, never the number itself
