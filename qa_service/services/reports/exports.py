"""A report as a file: CSV, XLSX (openpyxl) or PDF (weasyprint, DejaVu fonts embedded, charts included)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from jinja2 import Environment, select_autoescape

from qa_service.services.reports.charts import charts_of
from qa_service.services.reports.tables import KIND_TITLES, Section, sections_of

FORMATS = ("json", "csv", "xlsx", "pdf")
MIME_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FILES_LANG = "ru"


def export(kind: str, report: Any, fmt: str, *, subtitle: str = "", generated_at: datetime | None = None) -> bytes:
    """The report in `fmt` (json, csv, xlsx, pdf)."""
    if fmt == "json":
        return (json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n").encode()
    sections = sections_of(kind, report)
    if fmt == "csv":
        return to_csv(sections)
    if fmt == "xlsx":
        return to_xlsx(sections)
    return to_pdf(kind, report, sections, subtitle=subtitle, generated_at=generated_at)


def to_csv(sections: list[Section]) -> bytes:
    """Every section in one file: its title on a line, its header, its rows, a blank line between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for section in sections:
        title, headers, rows = section.localized(FILES_LANG)
        writer.writerow([f"# {title}"])
        writer.writerow(headers)
        writer.writerows(["" if c is None else c for c in row] for row in rows)
        writer.writerow([])
    # A BOM so that Excel opens the Cyrillic text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sections: list[Section]) -> bytes:
    """One sheet per section, bold frozen header, numbers stored as numbers, columns sized to the text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    highlight = PatternFill("solid", fgColor="FFCDD2")
    for section in sections:
        title, headers, rows = section.localized(FILES_LANG)
        sheet = workbook.create_sheet(_sheet_name(title, workbook.sheetnames))
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E3F2FD")
        for index, row in enumerate(rows):
            sheet.append(row)
            if index in section.highlight:
                for cell in sheet[sheet.max_row]:
                    cell.fill = highlight
        sheet.freeze_panes = "A2"
        for column, header in enumerate(headers, start=1):
            width = max([len(str(header))] + [len(str(r[column - 1])) for r in rows if r[column - 1] is not None])
            sheet.column_dimensions[get_column_letter(column)].width = min(60, width + 2)
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                if isinstance(cell.value, float):
                    cell.number_format = "0.0#"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: list[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    while name in taken:
        name = name[:28] + f"~{len(taken)}"
    return name


_PDF_TEMPLATE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
@page { size: A4 landscape; margin: 12mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #222; }
h1 { font-size: 14pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 5mm 0 2mm; }
.meta { color: #555; margin-bottom: 4mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 3mm; page-break-inside: auto; table-layout: fixed; }
th, td { border: 0.3pt solid #999; padding: 1mm 1.5mm; text-align: left; }
th { background: #e3f2fd; } tr.hl td { background: #ffcdd2; }
td.num { text-align: right; }
.chart { page-break-inside: avoid; margin: 1mm 0; display: inline-block; width: 49%; vertical-align: top; }
.chart img { width: 100%; }
</style></head><body>
<h1>{{ title }}</h1>
<p class="meta">{{ subtitle }}{% if generated_at %} · сформирован {{ generated_at }}{% endif %}</p>
{% for chart in charts %}<div class="chart"><h2>{{ chart.title[0] }}</h2>
<img src="{{ chart.src }}" alt="{{ chart.title[0] }}"></div>{% endfor %}
{% for section in sections %}
<h2>{{ section.title }}</h2>
{% if section.rows %}<table><thead><tr>{% for h in section.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in section.rows %}<tr{% if loop.index0 in section.highlight %} class="hl"{% endif %}>
{% for c in row %}<td{% if c is number %} class="num"{% endif %}>{{ "—" if c is none else c }}</td>{% endfor %}
</tr>{% endfor %}</tbody></table>{% else %}<p>Нет данных.</p>{% endif %}
{% endfor %}
</body></html>"""

_jinja = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def pdf_html(kind: str, report: Any, sections: list[Section], *, subtitle: str, generated_at: datetime | None) -> str:
    shown = []
    for section in sections:
        title, headers, rows = section.localized(FILES_LANG)
        shown.append({"title": title, "headers": headers, "rows": rows, "highlight": section.highlight})
    charts = [{"title": c.title, "src": c.data_uri} for c in charts_of(kind, report)]
    return _jinja.from_string(_PDF_TEMPLATE).render(
        title=KIND_TITLES[kind][0] + " / " + KIND_TITLES[kind][1], subtitle=subtitle, sections=shown, charts=charts,
        generated_at=generated_at.strftime("%d.%m.%Y %H:%M") if generated_at else "",
    )


def to_pdf(kind: str, report: Any, sections: list[Section], *, subtitle: str = "",
           generated_at: datetime | None = None) -> bytes:
    from weasyprint import HTML

    html = pdf_html(kind, report, sections, subtitle=subtitle, generated_at=generated_at)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
