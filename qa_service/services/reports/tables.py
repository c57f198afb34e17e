"""Every report as titled tables: the one layout the page, CSV, XLSX and PDF all show.

Labels are (Russian, English) pairs: the page picks the reader's language, files carry Russian
(the airline's language) — the service's texts are Russian first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from qa_service.core.reports.operations import (
    ABANDON_TARGET,
    SERVICE_LEVEL_TARGET,
    HourRow,
    OperationsReport,
)
from qa_service.core.reports.quality import MIN_RANKED_SAMPLE, QualityReport, ScoreSummary
from qa_service.core.reports.statuses import STATUSES
from qa_service.services.cases.report_tables import case_sections

Label = tuple[str, str]
Cell = str | int | float | None

CHANNELS: dict[str, Label] = {"call": ("Звонки", "Calls"), "chat": ("Чаты", "Chats"), "email": ("Письма", "E-mails")}
STATUS_LABELS: dict[str, Label] = {
    "ready": ("Готов", "Ready"), "not_ready": ("Не готов", "Not ready"), "on_call": ("В разговоре", "On call"),
    "break": ("Перерыв", "Break"), "logged_out": ("Не в системе", "Logged out"),
}
YES: Label = ("да", "yes")
NO: Label = ("нет", "no")


@dataclass
class Section:
    key: str
    title: Label
    headers: list[Label]
    rows: list[list[Cell | Label]]
    highlight: set[int] = field(default_factory=set)  # row indexes to mark (understaffed hours)
    link_column: int | None = None  # a column of interaction ids that link to the evidence

    def localized(self, lang: str) -> tuple[str, list[str], list[list[Cell]]]:
        pick = 1 if lang == "en" else 0
        rows = [[c[pick] if isinstance(c, tuple) else c for c in row] for row in self.rows]
        return self.title[pick], [h[pick] for h in self.headers], rows


def pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _channel(name: str) -> Label:
    return CHANNELS.get(name, (name, name))


def _summary_row(
    label: Label, value: Cell | Label, sample: Cell = None, note: Cell | Label = None
) -> list[Cell | Label]:
    return [label, value, sample, note]


SUMMARY_HEADERS: list[Label] = [("Показатель", "Measure"), ("Значение", "Value"), ("Выборка", "Sample"),
                                ("Цель / примечание", "Target / note")]


def operations_sections(report: OperationsReport) -> list[Section]:
    zone = ZoneInfo(report.timezone)
    t = report.total
    summary = [
        _summary_row(("Входящие звонки: поступило", "Inbound calls offered"), t.inbound_offered),
        _summary_row(("Принято", "Answered"), t.inbound_answered, t.inbound_offered),
        _summary_row(("Потеряно", "Lost"), t.inbound_lost, t.inbound_offered),
        _summary_row(("Уровень сервиса, % (принято за 20 с / поступило)",
                      "Service level, % (answered in 20 s / offered)"),
                     pct(t.service_level), t.inbound_offered, f"≥ {pct(SERVICE_LEVEL_TARGET)}"),
        _summary_row(("Доля потерянных, %", "Abandonment rate, %"), pct(t.abandon_rate), t.inbound_offered,
                     f"≤ {pct(ABANDON_TARGET)}"),
        _summary_row(("Среднее ожидание, с", "Average wait, s"), rounded(t.average_wait), len(t.waits)),
        _summary_row(("Средний разговор, с", "Average talk, s"), rounded(t.average_talk), len(t.talks)),
        _summary_row(("Среднее удержание, с", "Average hold, s"), rounded(t.average_hold), len(t.holds)),
        _summary_row(("Исходящие звонки", "Outbound calls"), t.outbound),
        _summary_row(("Чаты", "Chats"), t.chats),
        _summary_row(("Чаты: первый ответ за 60 с, %", "Chats: first reply within 60 s, %"),
                     pct(t.chats_in_sla / t.chats if t.chats else None), t.chats),
        _summary_row(("Письма", "E-mails"), t.emails),
        _summary_row(("Письма: ответ за 24 ч, %", "E-mails: reply within 24 h, %"),
                     pct(t.emails_in_sla / t.emails if t.emails else None), t.emails),
        _summary_row(("Продажи: количество", "Sales: count"), t.sales_count),
        _summary_row(("Продажи: сумма, ₽", "Sales: amount, RUB"), round(t.sales_amount, 2)),
        _summary_row(("Часы ниже минимума операторов", "Hours below the agent minimum"),
                     len(report.understaffed_hours), 24, f"≥ {report.min_agents}"),
    ]
    hours = [_hour_row(row) for row in report.hours]
    status_hours: list[list[Cell | Label]] = [
        [f"{row.hour:02d}:00", *(round(row.status_seconds.get(s, 0.0) / 60, 1) for s in STATUSES)]
        for row in report.hours
    ]
    status_agents: list[list[Cell | Label]] = [[agent, *(round(seconds.get(s, 0.0) / 60, 1) for s in STATUSES)]
                     for agent, seconds in sorted(report.agent_statuses.items())]
    status_headers: list[Label] = [(f"{r}, мин", f"{e}, min") for r, e in (STATUS_LABELS[s] for s in STATUSES)]
    return [
        Section("summary", ("Итоги", "Summary"), SUMMARY_HEADERS, summary),
        Section("hours", ("По часам", "By hour"), HOUR_HEADERS, hours,
                highlight={row.hour for row in report.hours if row.understaffed}),
        Section("sales", ("Продажи по каналам", "Sales by channel"),
                [("Канал", "Channel"), ("Количество", "Count"), ("Сумма, ₽", "Amount, RUB")],
                [[_channel(c), n, amount] for c, (n, amount) in report.sales_by_channel.items()]),
        Section("status_hours", ("Статусы операторов по часам", "Agent statuses by hour"),
                [("Час", "Hour"), *status_headers], status_hours),
        Section("status_agents", ("Статусы по операторам", "Statuses by agent"),
                [("Оператор", "Agent"), *status_headers], status_agents),
        Section("episodes", ("Нехватка операторов (эпизоды)", "Understaffing episodes"),
                [("Начало", "Start"), ("Конец", "End"), ("Меньше всего на линии", "Fewest logged in"),
                 ("Требуется", "Required")],
                [[_local(e.started_at, zone), _local(e.ended_at, zone) if e.ended_at else ("продолжается", "ongoing"),
                  e.lowest, e.required] for e in report.episodes]),
    ]


HOUR_HEADERS: list[Label] = [
    ("Час", "Hour"), ("Поступило", "Offered"), ("Принято", "Answered"), ("Потеряно", "Lost"),
    ("Принято за 20 с", "Answered in 20 s"), ("Уровень сервиса, %", "Service level, %"),
    ("Потерянных, %", "Abandoned, %"), ("Исходящие", "Outbound"), ("Ожидание, с", "Wait, s"),
    ("Разговор, с", "Talk, s"), ("Удержание, с", "Hold, s"), ("Чаты", "Chats"), ("Чаты в SLA", "Chats in SLA"),
    ("Письма", "E-mails"), ("Письма в SLA", "E-mails in SLA"), ("Продажи", "Sales"), ("Сумма продаж, ₽", "Sales, RUB"),
    ("На линии (мин.)", "Logged in (lowest)"), ("На линии (сред.)", "Logged in (mean)"), ("План", "Planned"),
    ("Нехватка", "Understaffed"),
]


def _hour_row(row: HourRow) -> list[Cell | Label]:
    return [
        f"{row.hour:02d}:00", row.inbound_offered, row.inbound_answered, row.inbound_lost, row.answered_within_20s,
        pct(row.service_level), pct(row.abandon_rate), row.outbound, rounded(row.average_wait),
        rounded(row.average_talk), rounded(row.average_hold), row.chats, row.chats_in_sla, row.emails,
        row.emails_in_sla, row.sales_count, round(row.sales_amount, 2), row.agents_logged_in,
        round(row.agents_logged_in_avg, 1), row.agents_planned, YES if row.understaffed else NO,
    ]


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


SCORE_HEADERS: list[Label] = [("Оценено", "Evaluated"), ("Средний балл", "Average score"),
                              ("95 % интервал: от", "95 % interval: from"), ("до", "to")]


def _score_cells(summary: ScoreSummary) -> list[Cell | Label]:
    return [summary.n, summary.mean, summary.low, summary.high]


def quality_sections(report: QualityReport) -> list[Section]:
    shares = report.shares
    summary = [
        _summary_row(("Оценено взаимодействий", "Interactions evaluated"), report.overall.n),
        _summary_row(("Средний балл", "Average score"), report.overall.mean, report.overall.n,
                     None if report.overall.low is None else f"95 %: {report.overall.low}–{report.overall.high}"),
        _summary_row(("Критических ошибок", "Critical failures"), len(report.critical_failures), report.overall.n),
    ]
    share_labels = {"auto_scored": ("Оценено автоматически, %", "Auto-scored, %"),
                    "reviewed": ("Проверено людьми, %", "Reviewed by people, %"),
                    "disputed": ("Оспорено, %", "Disputed, %"),
                    "withheld": ("Ждут ответа человека (автооценка не доверена), %",
                                 "Awaiting a person (machine answer withheld), %")}
    for key, label in share_labels.items():
        share = shares[key]
        summary.append(_summary_row(label, pct(share.fraction), share.total, f"{share.count}"))
    activity_labels = {"calibration_open": ("Открытых сессий калибровки", "Open calibration sessions"),
                       "calibration_signed": ("Калибровок подписано за период",
                                              "Calibrations signed off in the period"),
                       "needs_open": ("Открытых потребностей в обучении", "Open training needs"),
                       "coaching_done": ("Обучений проведено за период", "Coaching sessions done in the period")}
    for key, label in activity_labels.items():
        if key in report.activity:
            summary.append(_summary_row(label, report.activity[key]))
    return [
        Section("summary", ("Итоги", "Summary"), SUMMARY_HEADERS, summary),
        Section("channels", ("По каналам", "By channel"), [("Канал", "Channel"), *SCORE_HEADERS],
                [[_channel(c), *_score_cells(s)] for c, s in report.by_channel.items()]),
        Section("teams", ("По группам", "By team"), [("Группа", "Team"), *SCORE_HEADERS],
                [[team, *_score_cells(s)] for team, s in report.by_team.items()]),
        Section("agents", (f"Операторы (рейтинг при {MIN_RANKED_SAMPLE}+ оценках)",
                           f"Agents (ranked with {MIN_RANKED_SAMPLE}+ evaluations)"),
                [("Место", "Rank"), ("Оператор", "Agent"), *SCORE_HEADERS],
                [[i + 1, agent, *_score_cells(s)] for i, (agent, s) in enumerate(report.ranked_agents)]),
        Section("agents_small", ("Операторы с малой выборкой (без рейтинга)", "Agents with a small sample (unranked)"),
                [("Оператор", "Agent"), *SCORE_HEADERS],
                [[agent, *_score_cells(s)] for agent, s in report.unranked_agents]),
        Section("critical", ("Критические ошибки", "Critical failures"),
                [("Взаимодействие", "Interaction"), ("Канал", "Channel"), ("Оператор", "Agent"),
                 ("Критерий", "Criterion"), ("Доказательство", "Evidence")],
                [[f.interaction_id, _channel(f.channel), f.agent, f.criterion, f.quote]
                 for f in report.critical_failures], link_column=0),
        Section("pareto", ("Парето нарушенных критериев", "Pareto of failed criteria"),
                [("Критерий", "Criterion"), ("Нарушен", "Failed"), ("Применим", "Applicable"),
                 ("Доля нарушений, %", "Failure rate, %"), ("Накопленная доля, %", "Cumulative share, %")],
                [[row.criterion, row.failed, row.applicable, pct(row.failure_rate), pct(row.cumulative_share)]
                 for row in report.pareto]),
        Section("trend", ("Динамика за 30 дней", "30-day trend"), [("Дата", "Date"), *SCORE_HEADERS],
                [[day.strftime("%d.%m.%Y"), *_score_cells(s)] for day, s in report.trend]),
        *case_sections(report.cases_detail, Section),
    ]


def sections_of(kind: str, report: Any) -> list[Section]:
    return operations_sections(report) if kind == OPERATIONS else quality_sections(report)


OPERATIONS = "daily-operations"
QUALITY = "daily-quality"
KINDS = (OPERATIONS, QUALITY)
KIND_TITLES: dict[str, Label] = {
    OPERATIONS: ("Операционный отчёт (§3.2)", "Operations report (§3.2)"),
    QUALITY: ("Отчёт о качестве", "Quality report"),
}
