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
from qa_service.services.reports.tables import OPERATIONS, Label

BOTH = "both"  # the PDF is one file for both languages: «Час / hour»


def _w(words: Label, lang: str) -> str:
    """Chart words in the page's language; both, slash-separated, in the bilingual PDF."""
    if lang == BOTH:
        return f"{words[0]} / {words[1]}"
    return words[1] if lang == "en" else words[0]


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


def operations_charts(report: OperationsReport, lang: str = BOTH) -> list[Chart]:
    hours = [row.hour for row in report.hours]
    labels = [f"{h:02d}" for h in hours]
    figure, axes = _figure()
    answered = [row.inbound_answered for row in report.hours]
    lost = [row.inbound_lost for row in report.hours]
    axes.bar(labels, answered, color=COLORS["answered"], label=_w(("Принято", "answered"), lang))
    axes.bar(labels, lost, bottom=answered, color=COLORS["lost"], label=_w(("Потеряно", "lost"), lang))
    axes.plot(labels, [row.outbound for row in report.hours], color=COLORS["outbound"], marker=".",
              label=_w(("Исходящие", "outbound"), lang))
    axes.set_xlabel(_w(("Час", "hour"), lang))
    axes.set_ylabel(_w(("Звонки", "calls"), lang))
    axes.legend(loc="upper left", fontsize=8)
    profile = Chart("profile", ("Профиль звонков по часам", "Hourly call profile"), "hours", _png(figure))

    figure, axes = _figure()
    levels = [100 * (row.service_level or 0) for row in report.hours]
    colors = [COLORS["answered"] if (row.service_level or 0) >= SERVICE_LEVEL_TARGET else COLORS["lost"]
              for row in report.hours]
    axes.bar(labels, levels, color=colors)
    axes.axhline(100 * SERVICE_LEVEL_TARGET, color=COLORS["grey"], linestyle="--",
                 label=_w(("Цель 80/20", "target 80/20"), lang))
    axes.set_ylim(0, 105)
    axes.set_xlabel(_w(("Час", "hour"), lang))
    axes.set_ylabel("%")
    axes.legend(loc="lower left", fontsize=8)
    service = Chart("service_level", ("Уровень сервиса по часам", "Service level by hour"), "hours", _png(figure))

    figure, axes = _figure()
    logged = [row.agents_logged_in for row in report.hours]
    axes.bar(labels, logged, color=[COLORS["lost"] if row.understaffed else COLORS["answered"] for row in report.hours],
             label=_w(("На линии (меньше всего)", "logged in (lowest)"), lang))
    planned = [row.agents_planned if row.agents_planned is not None else float("nan") for row in report.hours]
    axes.step(labels, planned, where="mid", color=COLORS["plan"], label=_w(("План", "plan"), lang))
    axes.axhline(report.min_agents, color=COLORS["grey"], linestyle="--", label=_w(("Минимум", "minimum"), lang))
    axes.set_xlabel(_w(("Час", "hour"), lang))
    axes.set_ylabel(_w(("Операторы", "agents"), lang))
    axes.legend(loc="upper left", fontsize=8)
    staffing = Chart("staffing", ("Операторы на линии и план", "Staffing vs plan"), "hours", _png(figure))
    return [profile, service, staffing]


def quality_charts(report: QualityReport, lang: str = BOTH) -> list[Chart]:
    figure, axes = _figure()
    days = [day.strftime("%d.%m") for day, _ in report.trend]
    means = [s.mean if s.mean is not None else float("nan") for _, s in report.trend]
    lows = [s.low if s.low is not None else float("nan") for _, s in report.trend]
    highs = [s.high if s.high is not None else float("nan") for _, s in report.trend]
    axes.fill_between(days, lows, highs, color=COLORS["outbound"], alpha=0.2,
                      label=_w(("95 % интервал", "95 % interval"), lang))
    axes.plot(days, means, color=COLORS["outbound"], marker=".", label=_w(("Средний балл", "average"), lang))
    axes.set_ylim(0, 100)
    axes.tick_params(axis="x", labelrotation=60, labelsize=7)
    axes.legend(loc="lower left", fontsize=8)
    trend = Chart("trend", ("Динамика среднего балла, 30 дней", "Score trend, 30 days"), "trend", _png(figure))

    figure, axes = _figure()
    rows = report.pareto[:12]
    names = [row.criterion if len(row.criterion) <= 28 else row.criterion[:27] + "…" for row in rows]
    axes.bar(range(len(rows)), [row.failed for row in rows], color=COLORS["lost"],
             label=_w(("Нарушен", "failed"), lang))
    axes.set_xticks(range(len(rows)), names, rotation=35, ha="right", fontsize=7)
    axes.set_ylabel(_w(("Нарушений", "failures"), lang))
    cumulative = axes.twinx()
    cumulative.plot(range(len(rows)), [100 * row.cumulative_share for row in rows], color=COLORS["grey"], marker="o")
    cumulative.set_ylim(0, 105)
    cumulative.set_ylabel(_w(("Накоплено, %", "cumulative, %"), lang))
    pareto = Chart("pareto", ("Парето нарушенных критериев", "Pareto of failed criteria"), "pareto", _png(figure))
    return [trend, pareto]


def charts_of(kind: str, report: Any, lang: str = BOTH) -> list[Chart]:
    """The report's charts with axis and legend words in `lang` (`ru`, `en`, or both for the bilingual PDF)."""
    return operations_charts(report, lang) if kind == OPERATIONS else quality_charts(report, lang)
