"""The cases sections of the quality report as titled tables (page, XLSX, PDF share them): why customers
contacted, by channel; FCR with its interval, per channel and reason; the said-vs-done discrepancies."""

from __future__ import annotations

from typing import Any

from qa_service.services.cases.outcomes import CasesSection

Label = tuple[str, str]

REASONS: dict[str, Label] = {
    "refund": ("Возврат", "Refund"), "exchange": ("Обмен", "Exchange"), "sale": ("Продажа", "Sale"),
    "emd": ("ЭМД и доп. услуги", "EMD and extras"), "baggage": ("Багаж", "Baggage"),
    "disruption": ("Изменение расписания, срыв рейса", "Schedule change, disruption"),
    "complaint": ("Жалоба", "Complaint"), "info": ("Справка", "Information"), "other": ("Прочее", "Other"),
}
DISCREPANCIES: dict[str, Label] = {
    "refund_missing": ("Обещан возврат — возврата нет", "Refund promised, none made"),
    "amount_mismatch": ("Названа не та сумма", "Amount read back differs"),
    "no_readback": ("Операция без озвучивания суммы", "Transaction without a read-back"),
    "no_payment_link": ("Продажа без ссылки на оплату", "Sale without a payment link"),
}
CHANNELS: dict[str, Label] = {"call": ("Звонки", "Calls"), "chat": ("Чаты", "Chats"), "email": ("Письма", "E-mails")}


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _fcr_row(label: Any, fcr: dict[str, Any]) -> list[Any]:
    return [label, _pct(fcr["rate"]), fcr["n"], None if fcr["low"] is None else f"95 %: {_pct(fcr['low'])}–"
            f"{_pct(fcr['high'])}"]


def case_sections(section: CasesSection | None, section_type: Any) -> list[Any]:
    """`section_type` is the reports' `Section` (passed in: the tables module imports this one)."""
    if section is None:
        return []
    channels = sorted(section.by_channel)
    reasons_rows = [[REASONS.get(r, (r, r)), n, *[section.by_channel[c].get(r, 0) for c in channels]]
                    for r, n in section.contact_reasons.items()]
    fcr_rows = [_fcr_row(("Все обращения дня", "All contacts of the day"), section.fcr),
                *[_fcr_row(CHANNELS.get(c, (c, c)), f) for c, f in section.fcr_by_channel.items()],
                *[_fcr_row(REASONS.get(r, (r, r)), f) for r, f in section.fcr_by_reason.items()]]
    fcr_rows.append([("Повторных обращений", "Repeat contacts"), section.repeat_contacts, section.fcr["n"], None])
    fcr_rows.append([("Код завершения не совпал с причиной", "Wrap-up code disagrees with the reason"),
                     section.wrapup_mismatches, section.fcr["n"], None])
    return [
        section_type("contact_reasons", ("Причины обращений", "Contact reasons"),
                     [("Причина", "Reason"), ("Обращений", "Contacts"), *[CHANNELS.get(c, (c, c)) for c in channels]],
                     reasons_rows),
        section_type("fcr", ("Решение с первого обращения", "First-contact resolution (FCR)"),
                     [("Срез", "Slice"), ("Решено с первого раза, %", "FCR, %"), ("Выборка", "Sample"),
                      ("Интервал", "Interval")],
                     fcr_rows),
        section_type("discrepancies", ("Сказано и сделано: расхождения", "Said vs done: discrepancies"),
                     [("Взаимодействие", "Interaction"), ("Расхождение", "Discrepancy"), ("Сказано", "Said"),
                      ("Сделано", "Done"), ("Уверенность, %", "Confidence, %")],
                     [[d.interaction_id, DISCREPANCIES.get(d.kind, (d.kind, d.kind)), d.said, d.done,
                       round(100 * d.confidence)] for d in section.discrepancies], link_column=0),
    ]
