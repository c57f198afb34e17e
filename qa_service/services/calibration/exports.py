"""The calibration session report as PDF (weasyprint, DejaVu fonts embedded) and XLSX (openpyxl).

Both are built from `SessionResults`, so they show exactly what the results page shows;
headings are Russian first, English after the slash; times in the tenant's time zone.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from importlib import resources

from jinja2 import Environment, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qa_service.services.calibration.results import SessionResults

Local = Callable[[datetime | None], str]
ANSWER_WORDS = {"yes": "Да", "no": "Нет", "na": "Неприм."}
AMBER = PatternFill("solid", fgColor="FFE7A6")

# The report page for weasyprint: package data beside this module, read through importlib.resources.
TEMPLATE = resources.files(__package__).joinpath("report.html")


def _num(value: float | None) -> str:
    return "—" if value is None else f"{round(value, 2):g}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def _word(value: str | None) -> str:
    return "—" if value is None else ANSWER_WORDS.get(value, value)


def report_html(results: SessionResults, local: Local) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE.read_text("utf-8")).render(r=results, local=local, num=_num, pct=_pct, word=_word)


def report_pdf(results: SessionResults, local: Local) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which only this export needs

    return bytes(HTML(string=report_html(results, local)).write_pdf())


def _sheet_header(sheet, headers: list[str]) -> None:  # type: ignore[no-untyped-def]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(48, len(header) + 4))


def report_xlsx(results: SessionResults, local: Local) -> bytes:
    """Three sheets: criteria (agreement), scores (per interaction and participant), answers."""
    book = Workbook()
    criteria = book.active
    criteria.title = "Критерии"
    _sheet_header(criteria, ["Критерий / criterion", "Совпадение / agreement", "Цель / target",
                             "С эталоном / with benchmark", "Сравнений с эталоном / compared",
                             "α Криппендорфа", "α нижн. / low", "α верхн. / high", "κ Флейса",
                             "Единиц / units", "Оценок / ratings", "Неоднозначен / ambiguous"])
    for c in results.criteria:
        f = c.figures
        criteria.append([c.criterion.title, f.percent_agreement, c.target, c.benchmark_rate, c.compared_with_benchmark,
                         f.krippendorff_alpha, f.alpha_low, f.alpha_high, f.fleiss_kappa, f.n_units, f.n_ratings,
                         "да" if c.ambiguous else "нет"])
        if c.ambiguous:
            for cell in criteria[criteria.max_row]:
                cell.fill = AMBER
    for row in criteria.iter_rows(min_row=2, min_col=2, max_col=4):
        for cell in row:
            cell.number_format = "0%"
    for row in criteria.iter_rows(min_row=2, min_col=6, max_col=9):
        for cell in row:
            cell.number_format = "0.00"

    scores = book.create_sheet("Баллы")
    _sheet_header(scores, ["Взаимодействие / interaction", *[p.name for p in results.people],
                           "Машина / machine", "Разброс / spread", "СО / SD"])
    for i in results.items:
        scores.append([i.interaction.external_id, *[i.scores.get(p.user_id) for p in results.people],
                       i.machine_score, i.spread, i.std])
        if i.ambiguous:
            for cell in scores[scores.max_row]:
                cell.fill = AMBER

    answers = book.create_sheet("Ответы")
    _sheet_header(answers, ["Взаимодействие / interaction", "Критерий / criterion",
                            *[p.name for p in results.people], "Машина / machine", "Согласовано / consensus"])
    for i in results.items:
        for r in i.rows:
            answers.append([i.interaction.external_id, r.criterion.title,
                            *[_word(r.answers.get(p.user_id)) for p in results.people], _word(r.machine_answer),
                            _word(r.consensus.answer) if r.consensus else None])

    info = book.create_sheet("Сессия")
    info.append(["Сессия / session", results.calibration.title])
    info.append(["Ведущий / facilitator", results.facilitator])
    info.append(["Подписано / signed off by", results.signed_off_by])
    info.append(["Когда / when", local(results.calibration.signed_off_at) if results.signed_off_by else None])
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
