"""`/metrics` in Prometheus text format: queues, job durations, failures by step, ASR speed.

It shows every tenant's volumes, so it answers only a scraper with `QA_METRICS_TOKEN` as a bearer
token or one calling from a network in `QA_METRICS_ALLOW`; with neither configured, nobody.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from qa_service.config import Settings
from qa_service.jobs import QUEUES, redis_connection
from qa_service.services.observability import pipeline_figures

bp = Blueprint("metrics", __name__)

RECENT_JOBS = 200


class ServiceCollector(Collector):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily | SummaryMetricFamily]:
        figures = pipeline_figures(self.settings)
        states = GaugeMetricFamily(
            "qa_interactions", "Stored interactions by channel and state", labels=["channel", "state"]
        )
        for (channel, state), count in sorted(figures.interactions_by_state.items()):
            states.add_metric([channel, state], count)
        yield states
        failures = GaugeMetricFamily(
            "qa_pipeline_failures", "Interactions left failed, by pipeline step", labels=["step"]
        )
        for step, count in sorted(figures.failures_by_step.items()):
            failures.add_metric([step], count)
        yield failures
        rtf = GaugeMetricFamily(
            "qa_asr_real_time_factor", "Audio seconds transcribed per processing second over the last 24 h"
        )
        if figures.asr_processing_seconds > 0:
            rtf.add_metric([], figures.asr_audio_seconds / figures.asr_processing_seconds)
        yield rtf
        yield from self._queue_metrics()

    def _queue_metrics(self) -> Iterator[GaugeMetricFamily | SummaryMetricFamily]:
        if self.settings.redis_url is None:
            return
        depth = GaugeMetricFamily("qa_queue_depth", "Jobs waiting per queue", labels=["queue"])
        failed = GaugeMetricFamily("qa_failed_jobs", "Jobs in RQ's failed registry per queue", labels=["queue"])
        durations = SummaryMetricFamily(
            "qa_job_duration_seconds", "Durations of recently finished jobs", labels=["queue"]
        )
        try:
            connection = redis_connection(self.settings.redis_url)
            for name in QUEUES:
                queue = Queue(name, connection=connection)
                depth.add_metric([name], queue.count)
                failed.add_metric([name], FailedJobRegistry(queue=queue).count)
                finished = FinishedJobRegistry(queue=queue)
                jobs = queue.job_class.fetch_many(finished.get_job_ids(0, RECENT_JOBS - 1), connection=connection)
                seconds = [
                    (job.ended_at - job.started_at).total_seconds()
                    for job in jobs
                    if job is not None and job.started_at and job.ended_at
                ]
                durations.add_metric([name], count_value=len(seconds), sum_value=sum(seconds))
        except RedisError:
            return
        yield depth
        yield failed
        yield durations


def _scraper_allowed(settings: Settings) -> bool:
    header = request.headers.get("Authorization", "")
    presented = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if settings.metrics_token and hmac.compare_digest(presented.encode(), settings.metrics_token.encode()):
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.metrics_networks)


@bp.get("/metrics")
def metrics() -> Response:
    if not _scraper_allowed(current_app.config["QA_SETTINGS"]):
        abort(401)
    registry = CollectorRegistry()
    registry.register(ServiceCollector(current_app.config["QA_SETTINGS"]))
    return Response(generate_latest(registry), mimetype="text/plain; version=0.0.4")
