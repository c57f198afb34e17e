"""Server-side charts (matplotlib): the same PNG in the page and in the PDF.

Each chart names the section whose table holds its numbers, so the page can put that
table behind it for readers who cannot see the picture.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

# Figure objects without pyplot: no global figure registry, no GUI backend, safe in web threads.
from matplotlib.figure import Figure

from qa_service.core.reports.operations import SERVICE_LEVEL_TARGET, OperationsReport
from qa_service.core.reports.quality import QualityReport
from qa_service.services.reports_tables import OPERATIONS, Label

COLORS = {"answered": "#2e7d32", "lost": "#c62828", "outbound": "#1565c0", "plan": "#6a1b9a", "grey": "#757575"}


@dataclass(frozen=True)
class Chart:
    key: str
    title: Label
    section: str  # the table with the same numbers
    png: str  # base64 PNG, shown as a data: URI in the page and in the PDF

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + self.png


def _png(figure: Figure) -> str:
    # PNG rather than SVG: weasyprint draws matplotlib's glyph-path SVG slowly (seconds per chart).
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure() -> tuple[Figure, Any]:
    # A layout engine instead of bbox_inches="tight": the figure is drawn once, not twice.
    figure = Figure(figsize=(9, 3.2), dpi=100, layout="constrained")
    axes = figure.subplots()
    axes.grid(axis="y", alpha=0.3)
    return figure, axes


def operations_charts(report: OperationsReport) -> list[Chart]:
    hours = [row.hour for row in report.hours]
    labels = [f"{h:02d}" for h in hours]
    figure, axes = _figure()
    answered = [row.inbound_answered for row in report.hours]
    lost = [row.inbound_lost for row in report.hours]
    axes.bar(labels, answered, color=COLORS["answered"], label="Принято / answered")
    axes.bar(labels, lost, bottom=answered, color=COLORS["lost"], label="Потеряно / lost")
    axes.plot(labels, [row.outbound for row in report.hours], color=COLORS["outbound"], marker=".",
              label="Исходящие / outbound")
    axes.set_xlabel("Час / hour")
    axes.set_ylabel("Звонки / calls")
    axes.legend(loc="upper left", fontsize=8)
    profile = Chart("profile", ("Профиль звонков по часам", "Hourly call profile"), "hours", _png(figure))

    figure, axes = _figure()
    levels = [100 * (row.service_level or 0) for row in report.hours]
    colors = [COLORS["answered"] if (row.service_level or 0) >= SERVICE_LEVEL_TARGET else COLORS["lost"]
              for row in report.hours]
    axes.bar(labels, levels, color=colors)
    axes.axhline(100 * SERVICE_LEVEL_TARGET, color=COLORS["grey"], linestyle="--", label="Цель 80/20 / target")
    axes.set_ylim(0, 105)
    axes.set_xlabel("Час / hour")
    axes.set_ylabel("%")
    axes.legend(loc="lower left", fontsize=8)
    service = Chart("service_level", ("Уровень сервиса по часам", "Service level by hour"), "hours", _png(figure))

    figure, axes = _figure()
    logged = [row.agents_logged_in for row in report.hours]
    axes.bar(labels, logged, color=[COLORS["lost"] if row.understaffed else COLORS["answered"] for row in report.hours],
             label="На линии (меньше всего) / logged in (lowest)")
    planned = [row.agents_planned if row.agents_planned is not None else float("nan") for row in report.hours]
    axes.step(labels, planned, where="mid", color=COLORS["plan"], label="План / plan")
    axes.axhline(report.min_agents, color=COLORS["grey"], linestyle="--", label="Минимум / minimum")
    axes.set_xlabel("Час / hour")
    axes.set_ylabel("Операторы / agents")
    axes.legend(loc="upper left", fontsize=8)
    staffing = Chart("staffing", ("Операторы на линии и план", "Staffing vs plan"), "hours", _png(figure))
    return [profile, service, staffing]


def quality_charts(report: QualityReport) -> list[Chart]:
    figure, axes = _figure()
    days = [day.strftime("%d.%m") for day, _ in report.trend]
    means = [s.mean if s.mean is not None else float("nan") for _, s in report.trend]
    lows = [s.low if s.low is not None else float("nan") for _, s in report.trend]
    highs = [s.high if s.high is not None else float("nan") for _, s in report.trend]
    axes.fill_between(days, lows, highs, color=COLORS["outbound"], alpha=0.2, label="95 % интервал / interval")
    axes.plot(days, means, color=COLORS["outbound"], marker=".", label="Средний балл / average")
    axes.set_ylim(0, 100)
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    axes.legend(loc="lower left", fontsize=8)
    trend = Chart("trend", ("Динамика среднего балла, 30 дней", "Score trend, 30 days"), "trend", _png(figure))

    figure, axes = _figure()
    rows = report.pareto[:12]
    names = [row.criterion if len(row.criterion) <= 28 else row.criterion[:27] + "…" for row in rows]
    axes.bar(range(len(rows)), [row.failed for row in rows], color=COLORS["lost"], label="Нарушен / failed")
    axes.set_xticks(range(len(rows)), names, rotation=35, ha="right", fontsize=7)
    axes.set_ylabel("Нарушений / failures")
    cumulative = axes.twinx()
    cumulative.plot(range(len(rows)), [100 * row.cumulative_share for row in rows], color=COLORS["grey"], marker="o")
    cumulative.set_ylim(0, 105)
    cumulative.set_ylabel("Накоплено, %")
    pareto = Chart("pareto", ("Парето нарушенных критериев", "Pareto of failed criteria"), "pareto", _png(figure))
    return [trend, pareto]


def charts_of(kind: str, report: Any) -> list[Chart]:
    return operations_charts(report) if kind == OPERATIONS else quality_charts(report)
