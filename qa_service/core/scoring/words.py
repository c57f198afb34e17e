"""Russian words for the codes a machine reason names: channels, directions, topics, answers, models.

A reason is stored with the answer and read by QA specialists and agents, so it says
«модель «Уточняющий вопрос»: вероятность 0,93», not `clarifying_question: p=0.93`.  Core has
no Flask-Babel, and stored reasons are Russian (the product's working language); the UI's own
labels, switchable to English, live in `web/labels.py`.
"""

from __future__ import annotations

CHANNELS = {"call": "звонки", "chat": "чаты", "email": "письма"}
DIRECTIONS = {"inbound": "входящие", "outbound": "исходящие"}
TOPICS = {
    "sale": "продажа билета", "exchange": "обмен", "refund": "возврат", "baggage": "багаж",
    "info": "справка о рейсе", "complaint": "жалоба", "other": "другое", "booking": "бронирование",
}
ANSWERS: dict[str | None, str] = {"yes": "да", "no": "нет", "na": "неприменимо", None: "нет ответа"}
MODELS = {"clarifying_question": "Уточняющий вопрос", "topic": "Тема обращения"}


def word(table: dict[str, str], code: str | None) -> str:
    """The word for `code`, or the code with its separators as spaces when the table lacks it."""
    if code is None:
        return "—"
    return table.get(code) or code.replace("_", " ").replace("-", " ")


def answer_word(answer: str | float | None) -> str:
    """An answer as a reader says it: да, нет, неприменимо, or the number of a scaled criterion."""
    if isinstance(answer, float | int):
        return f"{answer:g}"
    return ANSWERS.get(answer) or str(answer)


def model_name(name: str) -> str:
    """A classifier as people call it, in guillemets."""
    return f"«{word(MODELS, name)}»"


def probability(p: float) -> str:
    """A probability the Russian way: two decimals and a comma."""
    return f"{p:.2f}".replace(".", ",")
