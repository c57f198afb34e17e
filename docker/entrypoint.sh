#!/bin/sh
# One image, three roles: web | worker | scheduler (the worker runs RQ's scheduler too).
set -e
role="${1:-web}"
shift || true
case "$role" in
  # gthread with a socket deadline, 16 threads, from gunicorn_conf (README, "Slow and large request bodies").
  web)       qa-service migrate && exec gunicorn -c python:qa_service.gunicorn_conf --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-3}" \
               --timeout 30 --graceful-timeout 30 --keep-alive 5 \
               --limit-request-line 8190 --limit-request-fields 100 \
               --access-logfile - "qa_service.web:create_app()" ;;
  worker)    exec qa-service worker --queues "${QA_QUEUES:-asr,text}" "$@" ;;
  scheduler) exec qa-service scheduler "$@" ;;
  *)         exec qa-service "$role" "$@" ;;
esac
