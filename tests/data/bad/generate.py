"""The bad file-input corpus: recordings, manifests, CDR files, e-mails and rubric files that must not stop anything.

Small text cases are committed next to this script (`manifest/`, `csv/`, `mime/`, `yaml/`);
binary and big ones (audio, MIME bombs, alias bombs) are made here at test time, into a
temporary folder, with Python, sox and ffmpeg:

    python tests/data/bad/generate.py OUT_DIR     # writes OUT_DIR/<kind>/<case> and prints the count

A case whose name starts with `tolerated-` is odd but readable: it must be stored intact
(a lying charset decoded leniently, a duplicate stored once).  Every other case must end
as a one-line error, a quarantined item or a failed interaction, each with its reason.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
KINDS = ("audio", "manifest", "csv", "mime", "yaml")


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    path: Path

    @property
    def tolerated(self) -> bool:
        return self.name.startswith("tolerated-")


# --- audio --------------------------------------------------------------------------------


def wav(channels: int, rate: int, frames: int, *, bits: int = 16, tag: int = 1, data_size: int | None = None,
        data: bytes | None = None) -> bytes:
    """A RIFF/WAVE file written field by field, so any header value can be a lie."""
    block = channels * bits // 8
    payload = data if data is not None else bytes(frames * block)
    size = len(payload) if data_size is None else data_size
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    riff_size = min(0xFFFFFFFF, 4 + 8 + len(fmt) + 8 + size)
    return (b"RIFF" + struct.pack("<I", riff_size) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"data" + struct.pack("<I", size) + payload)


def tone(channels: int, rate: int, seconds: float) -> bytes:
    """A WAV of a quiet tone on every channel (numbers, not speech: enough for a decoder)."""
    import math

    frames = int(rate * seconds)
    samples = bytearray()
    for i in range(frames):
        value = int(3000 * math.sin(2 * math.pi * 440 * i / max(rate, 1)))
        samples += struct.pack("<h", value) * channels
    return wav(channels, rate, frames, data=bytes(samples))


def _ffmpeg(source: bytes, out: Path, *args: str) -> bytes:
    """Encode `source` (a WAV) with ffmpeg into `out`'s format; the encoded bytes."""
    raw = out.with_suffix(".src.wav")
    raw.write_bytes(source)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(raw), *args, str(out)], check=True)
    raw.unlink()
    return out.read_bytes()


def _sox(out: Path, *args: str) -> bytes:
    subprocess.run(["sox", "-n", *args, str(out), "synth", "1", "sine", "440"], check=True)
    return out.read_bytes()


def audio_cases(folder: Path, max_seconds: float) -> None:
    """Recordings no worker may choke on; `max_seconds` is the duration limit the worker runs with."""
    folder.mkdir(parents=True, exist_ok=True)
    work = folder / ".work"
    work.mkdir(exist_ok=True)
    good = tone(1, 8000, 1.0)
    mp3 = _ffmpeg(good, work / "x.mp3", "-c:a", "libmp3lame")
    ogg = _ffmpeg(good, work / "x.ogg", "-c:a", "libvorbis")
    flac = _ffmpeg(good, work / "x.flac")
    made: dict[str, Callable[[], bytes]] = {
        "zero-length.wav": lambda: b"",
        "zero-length.mp3": lambda: b"",
        "zero-length.ogg": lambda: b"",
        "zero-length.flac": lambda: b"",
        "header-only.wav": lambda: wav(1, 8000, 0),
        "truncated-header.wav": lambda: wav(1, 8000, 800)[:22],
        "truncated-data.wav": lambda: wav(1, 8000, 8000)[:300],
        "huge-declared-data.wav": lambda: wav(1, 8000, 100, data_size=0xFFFFFFF0),
        "channels-0.wav": lambda: wav(0, 8000, 800, data=bytes(1600)),
        "channels-3.wav": lambda: tone(3, 8000, 0.5),
        "channels-8.wav": lambda: tone(8, 8000, 0.5),  # segfaulted PyAV inside the worker
        "channels-16.wav": lambda: tone(16, 8000, 0.25),
        "rate-0.wav": lambda: wav(1, 0, 800, data=bytes(1600)),
        "rate-1hz.wav": lambda: tone(1, 1, 20),
        "rate-7999hz.wav": lambda: tone(1, 7999, 0.5),
        "rate-96khz.wav": lambda: tone(1, 96000, 0.2),
        "rate-384khz.wav": lambda: tone(1, 384000, 0.1),
        "bits-0.wav": lambda: wav(1, 8000, 0, bits=0, data=bytes(800)),
        "unknown-codec-tag.wav": lambda: wav(1, 8000, 800, tag=0x1234),
        "not-riff.wav": lambda: b"this is a text file, not a recording\n" * 20,
        "riff-random-body.wav": lambda: b"RIFF\x24\x00\x00\x00WAVE" + bytes(range(256)) * 4,
        "mp3-bytes-named.wav": lambda: mp3,
        "too-long.wav": lambda: wav(1, 8000, int(8000 * (max_seconds + 30))),
        "text.mp3": lambda: b"ID3 not really\n" * 50,
        "truncated.mp3": lambda: mp3[:60],
        "id3-huge-tag.mp3": lambda: b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + bytes(64),
        "random.mp3": lambda: bytes((i * 7919) % 256 for i in range(4096)),
        "truncated.ogg": lambda: ogg[:80],
        "oggs-header-only.ogg": lambda: ogg[:28],
        "random.ogg": lambda: b"OggS" + bytes((i * 31) % 256 for i in range(2048)),
        "vorbis-8ch.ogg": lambda: _ffmpeg(tone(8, 8000, 0.5), work / "v8.ogg", "-c:a", "libvorbis"),
        "opus-3ch.ogg": lambda: _ffmpeg(tone(3, 48000, 0.3), work / "o3.ogg", "-c:a", "libopus", "-ac", "3",
                                        "-mapping_family", "255"),
        "flac-8ch.flac": lambda: _sox(work / "f8.flac", "-r", "8000", "-c", "8"),
        "flac-3ch.flac": lambda: _sox(work / "f3.flac", "-r", "8000", "-c", "3"),
        "flac-96khz.flac": lambda: _sox(work / "f96.flac", "-r", "96000", "-c", "1"),
        "truncated.flac": lambda: flac[:42],
        "flac-magic-random.flac": lambda: b"fLaC" + bytes((i * 13) % 256 for i in range(2048)),
        "float64-8ch.wav": lambda: wav(8, 8000, 400, bits=64, tag=3),
        "video-no-audio.ogg": lambda: _video_only(work),
    }
    for name, make in made.items():
        (folder / name).write_bytes(make())
    shutil.rmtree(work)


def _video_only(work: Path) -> bytes:
    out = work / "video.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=1",
                    "-c:v", "libtheora", str(out)], check=True)
    return out.read_bytes()


# --- big or binary text cases (the small ones are committed) --------------------------------


def mime_bombs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    def head(name: str, content_type: str) -> str:
        return (f"From: Пассажир <client-{name}@example.ru>\r\nTo: support@severny-veter.test\r\n"
                f"Subject: {name}\r\nMessage-ID: <case-{name}@bad.test>\r\n"
                f"Date: Tue, 24 Nov 2026 10:00:00 +0300\r\nMIME-Version: 1.0\r\n{content_type}")

    def nested(name: str, depth: int) -> bytes:
        body = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(1, depth))
        body += "Content-Type: text/plain; charset=utf-8\r\n\r\nЗдравствуйте\r\n"
        body += "".join(f"--b{i}--\r\n" for i in reversed(range(1, depth)))
        top = head(name, 'Content-Type: multipart/mixed; boundary="b0"\r\n\r\n--b0\r\n')
        return (top + body + "--b0--\r\n").encode()

    def rfc822(name: str, depth: int) -> bytes:
        inner = "Content-Type: text/plain\r\n\r\nвложение\r\n"
        for _ in range(depth):
            inner = "Content-Type: message/rfc822\r\n\r\nSubject: fwd\r\n" + inner
        return (head(name, "") + inner).encode()

    (folder / "nested-2000.eml").write_bytes(nested("nested-2000", 2000))
    (folder / "nested-65.eml").write_bytes(nested("nested-65", 65))
    (folder / "rfc822-nested-300.eml").write_bytes(rfc822("rfc822-nested-300", 300))
    # 50,000 nested divs: the HTML stripper is linear, and the 650,000 characters of text it gives are
    # then refused by the per-turn volume limit (50,000), with the reason.
    (folder / "html-50000-divs.eml").write_bytes(
        (head("html-50000-divs", "Content-Type: text/html; charset=utf-8\r\n\r\n")
         + "<div>Здравствуйте " * 50000 + "</div>" * 50000 + "\r\n").encode())
    # Deep nesting within the volume limit is stored intact.
    (folder / "tolerated-html-3000-divs.eml").write_bytes(
        (head("tolerated-html-3000-divs", "Content-Type: text/html; charset=utf-8\r\n\r\n")
         + "<div>Здравствуйте " * 3000 + "</div>" * 3000 + "\r\n").encode())
    (folder / "tolerated-subject-200kb.eml").write_bytes(
        (head("tolerated-subject-200kb", "Content-Type: text/plain\r\n\r\nДобрый день\r\n")
         .replace("Subject: tolerated-subject-200kb", "Subject: " + "тема " * 40000)).encode())
    (folder / "too-big-30mb.eml").write_bytes(
        (head("too-big-30mb", "Content-Type: text/plain\r\n\r\n")).encode() + b"x" * (30 * 1024 * 1024) + b"\r\n")
    many = "".join(f"X-Junk-{i}: {i}\r\n" for i in range(20000))
    (folder / "tolerated-20000-headers.eml").write_bytes(
        (head("tolerated-20000-headers", many + "Content-Type: text/plain\r\n\r\nДобрый день\r\n")).encode())


def yaml_bombs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    levels = ['a: &a ["ха","ха","ха","ха","ха","ха","ха","ха","ха"]']
    for i, name in enumerate("bcdefghi"):
        previous = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    (folder / "billion-laughs.yaml").write_text("\n".join(levels) + "\n", "utf-8")
    (folder / "deep-sequence.yaml").write_text("[" * 20000 + "]" * 20000 + "\n", "utf-8")
    (folder / "deep-mapping.yaml").write_text("{a: " * 5000 + "1" + "}" * 5000 + "\n", "utf-8")
    (folder / "binary.yaml").write_bytes(bytes((i * 7 + 3) % 256 for i in range(4096)))
    (folder / "huge-scalar.yaml").write_text("id: " + "x" * 5_000_000 + "\n", "utf-8")


def manifest_bombs(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deep-nesting.jsonl").write_text(
        '{"external_id": "bad-deep", "meta": ' + "[" * 100000 + "]" * 100000 + "}\n", "utf-8")
    (folder / "line-of-8mb.jsonl").write_text(
        '{"external_id": "bad-long", "channel": ' + " " * 8_000_000 + "\n", "utf-8")


def generate(out: Path, max_seconds: float = 60.0) -> list[Case]:
    """Write every generated case under `out` and return all cases, committed ones included."""
    audio_cases(out / "audio", max_seconds)
    manifest_bombs(out / "manifest")
    mime_bombs(out / "mime")
    yaml_bombs(out / "yaml")
    cases: list[Case] = []
    for kind in KINDS:
        for folder in (HERE / kind, out / kind):
            if folder.is_dir():
                cases.extend(Case(kind, p.name, p) for p in sorted(folder.iterdir()) if p.is_file())
    return cases


if __name__ == "__main__":
    found = generate(Path(sys.argv[1]))
    print(f"{len(found)} cases: " + ", ".join(f"{k} {sum(c.kind == k for c in found)}" for k in KINDS))
