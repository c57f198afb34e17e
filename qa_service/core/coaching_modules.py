"""The standard's training modules (§4): what a trainer assigns when a criterion keeps failing."""

from __future__ import annotations

# Titles as the standard writes them; which criteria a module covers comes from each rubric's
# `training_module`, so a tenant's own rubric can move a criterion without a code change.
MODULE_TITLES: dict[str, str] = {
    "T-OPEN": "Открытие и завершение разговора",
    "T-IDENT": "Идентификация и защита данных",
    "T-FARES": "Правила тарифов: обмен и возврат",
    "T-PAY": "Безопасность платежей (PCI DSS)",
    "T-HOLD": "Этикет удержания и активное слушание",
    "T-TONE": "Вежливость и речевые стандарты",
    "T-SLA": "Скорость ответа в чате и почте",
    "T-WRITE": "Письменная речь",
}


def module_title(module: str) -> str:
    return MODULE_TITLES.get(module, module)
