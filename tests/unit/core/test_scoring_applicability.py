"""Applicability as the standard states it, whatever the wrap-up code says."""

from __future__ import annotations

from scoring_helpers import answer, call, chat

OPEN = ("agent", 0.5, 4.0, "Здравствуйте, авиакомпания Северный Ветер, меня зовут Анна.")


def test_fare_rules_stated_during_a_sale_make_the_criterion_apply() -> None:
    sale = call([OPEN, ("customer", 4.5, 8.0, "Хочу купить билет в Казань."),
                 ("agent", 8.5, 14.0, "По этому тарифу вернуть деньги нельзя, обмен со сбором две тысячи.")],
                topic="sale")
    assert answer(sale, "fare_rules") == "yes"
    silent = call([OPEN, ("customer", 4.5, 8.0, "Хочу купить билет в Казань."),
                   ("agent", 8.5, 14.0, "Есть рейс в восемь утра за семь тысяч.")], topic="sale")
    assert answer(silent, "fare_rules") == "na"


def test_paraphrased_fare_conditions_count() -> None:
    refund = call([OPEN, ("customer", 4.5, 8.0, "Хочу сдать билет, бронь ВЕК510."),
                   ("agent", 8.5, 14.0, "Тогда из суммы вычтем две тысячи рублей.")], topic="refund")
    assert answer(refund, "fare_rules") == "yes"


def test_readback_is_na_without_a_transaction_and_no_when_one_was_made_without_it() -> None:
    status = call([OPEN, ("customer", 4.5, 8.0, "Где мой возврат? Бронь ПДЖ81Р."),
                   ("agent", 8.5, 14.0, "Возврат оформляли по всему маршруту?"), ("customer", 14.5, 16.0, "Да."),
                   ("agent", 16.5, 22.0, "Деньги отправлены в банк пятого марта.")], topic="refund")
    assert answer(status, "readback") == "na"
    changed = call([OPEN, ("customer", 4.5, 8.0, "Поменяйте дату, бронь ЛМН742."),
                    ("agent", 8.5, 12.0, "Поменяла вам на пятнадцатое.")], topic="exchange")
    assert answer(changed, "readback") == "no"


def test_identification_is_na_when_no_booking_is_involved() -> None:
    info = chat([("customer", 0, "Сколько стоит провоз лыж?"),
                 ("agent", 25, "Здравствуйте, меня зовут Леонид. Лыжи — 2500 рублей в одну сторону.")],
                topic="baggage")
    assert answer(info, "identify_booking") == "na"
    booked = chat([("customer", 0, "Хочу докупить багаж, бронь ТТ4КМ9."),
                   ("agent", 25, "Здравствуйте, меня зовут Леонид. Багаж 20 кг — 2200 рублей.")], topic="baggage")
    assert answer(booked, "identify_booking") == "no"


def test_outbound_call_confirming_the_passenger_identifies_them() -> None:
    item = call([("agent", 0.5, 6.0, "Добрый день, авиакомпания Северный Ветер, меня зовут Игорь, звоню по поводу "
                                     "вашего рейса. [имя]?"),
                 ("customer", 6.5, 7.5, "Да, это я.")], direction="outbound", topic="exchange")
    assert answer(item, "identify_booking") == "yes"


def test_the_agent_confirming_the_booking_the_customer_named_identifies_it() -> None:
    named = [OPEN, ("customer", 4.5, 8.0, "Мне нужно поменять дату, бронь ЛМН742.")]
    confirmed = call([*named, ("agent", 8.5, 11.0, "Да, вижу. На какую дату?")], topic="exchange")
    assert answer(confirmed, "identify_booking") == "yes"
    ignored = call([*named, ("agent", 8.5, 11.0, "На какую дату хотите перенести?")], topic="exchange")
    assert answer(ignored, "identify_booking") == "no"
