"""E-mail criteria (§3): the 24 h / 8 h reply rule with its edges, addressing, signature."""

from datetime import datetime

import pytest
from scoring_helpers import answer, email, score

from qa_service.core.scoring.departure import departure_within

SIGNATURE = ("\n\nС уважением,\nЕлена Смирнова\nКонтактный центр авиакомпании «Северный Ветер»\n"
             "Тел.: [телефон]")


def _mail(question: str, reply_at: str, *, received: str = "2026-11-02T09:00:00+03:00", subject: str = "Вопрос",
          reply: str = "Здравствуйте, Иван!\n\nОтвечаем на ваш вопрос." + SIGNATURE, **extra):
    return email([
        {"speaker": "customer", "at": received, "subject": subject, "text": question},
        {"speaker": "agent", "at": reply_at, "subject": "Re: " + subject, "text": reply},
    ], **extra)


PLAIN = "Добрый день! Какая норма багажа на тарифе «Базовый»?\n\nС уважением,\nИван Петров"


@pytest.mark.parametrize(("reply_at", "expected"), [
    ("2026-11-03T09:00:00+03:00", "yes"),  # exactly 24 h
    ("2026-11-03T09:00:01+03:00", "no"),
    ("2026-11-03T06:00:00Z", "yes"),  # same instant as 09:00 +03:00
    ("2026-11-03T06:00:01Z", "no"),
])
def test_reply_within_24_hours_edges_and_time_zones(reply_at, expected):
    assert answer(_mail(PLAIN, reply_at), "reply_sla") == expected


@pytest.mark.parametrize(("question", "subject", "extra"), [
    (PLAIN.replace("Какая", "Срочно! Какая"), "Вопрос", {}),
    (PLAIN, "СРОЧНО: багаж", {}),
    (PLAIN, "Вопрос", {"meta": {"priority": "high"}}),
    ("Я вылетаю завтра рейсом СВ-318. Можно ли взять лыжи?\n\nАнна", "Вопрос", {}),
    ("У меня вылет 3 ноября, какая норма багажа?", "Вопрос", {}),
    ("Рейс 03.11.2026, норма багажа?", "Вопрос", {}),
])
def test_urgent_mail_must_be_answered_within_8_hours(question, subject, extra):
    assert answer(_mail(question, "2026-11-02T17:00:00+03:00", subject=subject, **extra), "reply_sla") == "yes"
    late = score(_mail(question, "2026-11-02T17:00:01+03:00", subject=subject, **extra)).answer("reply_sla")
    assert late.answer == "no" and "8 ч" in late.reason


def test_departure_far_away_keeps_the_24_hour_rule():
    text = "У меня вылет 20 ноября, какая норма багажа?"
    assert answer(_mail(text, "2026-11-03T08:00:00+03:00"), "reply_sla") == "yes"


def test_departure_window_boundaries():
    received = datetime.fromisoformat("2026-11-02T23:00:00+03:00")
    assert departure_within("вылет 4 ноября", received, 48) is not None  # 4 Nov starts 25 h later
    assert departure_within("вылет 5 ноября", received, 48) is None  # starts 49 h later
    assert departure_within("вылет 1 ноября", received, 48) is None  # already past
    assert departure_within("встреча 3 ноября", received, 48) is None  # no travel words
    december = datetime.fromisoformat("2026-12-30T10:00:00+03:00")
    assert departure_within("вылетаю 1 января", december, 48) is not None  # next year


def test_no_reply_is_a_failure():
    mail = email([{"speaker": "customer", "at": "2026-11-02T09:00:00+03:00", "text": PLAIN}])
    assert answer(mail, "reply_sla") == "no"


@pytest.mark.parametrize(("reply", "expected"), [
    ("Уважаемый Иван Сергеевич!\n\nОтвечаем.", "yes"),
    ("Здравствуйте, Иван!\n\nОтвечаем.", "yes"),
    ("Здравствуйте!\n\nОтвечаем.", "no"),
    ("Уважаемый клиент!\n\nОтвечаем.", "no"),
])
def test_greeting_by_name_when_the_name_is_known(reply, expected):
    assert answer(_mail(PLAIN, "2026-11-02T10:00:00+03:00", reply=reply + SIGNATURE), "greeting") == expected


def test_greeting_na_when_the_name_is_unknown_and_platform_name_wins():
    anonymous = "Какая норма багажа?"
    assert answer(_mail(anonymous, "2026-11-02T10:00:00+03:00", reply="Здравствуйте!\n\nОтвечаем."),
                  "greeting") == "na"
    named = _mail(anonymous, "2026-11-02T10:00:00+03:00", reply="Уважаемая Мария!\n\nОтвечаем.",
                  meta={"customer_name": "Мария Ивановна"})
    assert answer(named, "greeting") == "yes"


@pytest.mark.parametrize(("signature", "expected"), [
    (SIGNATURE, "yes"),
    ("\n\nС уважением,\nЕлена\nКонтактный центр «Северный Ветер»\n8 (800) 555-35-35", "yes"),
    ("\n\nС уважением,\nКонтактный центр авиакомпании «Северный Ветер»\nТел.: [телефон]", "no"),  # no name
    ("\n\nС уважением,\nЕлена Смирнова\nТел.: [телефон]", "no"),  # no company
    ("\n\nС уважением,\nЕлена Смирнова\nКонтактный центр авиакомпании «Северный Ветер»", "no"),  # no phone
])
def test_signature(signature, expected):
    reply = "Здравствуйте, Иван!\n\nОтвечаем." + signature
    assert answer(_mail(PLAIN, "2026-11-02T10:00:00+03:00", reply=reply), "signature") == expected


def test_several_questions_and_a_short_reply_are_flagged_for_review():
    questions = "Какая норма багажа? Можно ли взять лыжи? Сколько стоит доплата?\n\nИван"
    evaluation = score(_mail(questions, "2026-11-02T10:00:00+03:00"))
    assert evaluation.answer("answer_all_questions").answer is None
    assert evaluation.needs_review


def test_asking_for_card_details_by_mail_fails_critically():
    reply = "Здравствуйте, Иван!\n\nДля оплаты пришлите, пожалуйста, номер карты и CVV." + SIGNATURE
    evaluation = score(_mail(PLAIN, "2026-11-02T10:00:00+03:00", reply=reply))
    assert evaluation.answer("no_card_by_voice").answer == "no"
    assert evaluation.failed_critical and evaluation.score == 0.0
