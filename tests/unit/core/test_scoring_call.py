"""Call criteria of the standard (§1): positive, negative, near-miss and N/A cases in Russian."""

import pytest
from scoring_helpers import CLOSING, OPENING, answer, call, score

CUSTOMER = ("customer", 6.0, 9.0, "Здравствуйте, хочу поменять дату вылета.")


def opening(text: str, start: float = 0.5) -> list:
    return [("agent", start, start + 4.0, text), CUSTOMER]


@pytest.mark.parametrize("text", [
    "Доброй ночи, авиакомпания «Северный Ветер», меня зовут Олег.",
    "Здравствуйте! «Северный Ветер», оператор Анна.",
    "Авиакомпания Северного Ветра, добрый вечер, слушаю вас.",
    "Доброе утро, вы позвонили в Северный Ветер.",
])
def test_greeting_with_company_name_in_any_form(text):
    assert answer(call(opening(text)), "greeting") == "yes"


@pytest.mark.parametrize("turns", [
    opening("Алло, слушаю вас, меня зовут Анна."),  # no greeting, no company
    opening("Здравствуйте, меня зовут Анна."),  # greeting without the company name
    [("agent", 0.5, 3.0, "Алло, слушаю."), CUSTOMER,
     ("agent", 17.0, 20.0, "Здравствуйте, авиакомпания «Северный Ветер».")],  # too late: after 15 s
])
def test_greeting_missing_or_late(turns):
    evaluation = score(call(turns))
    result = evaluation.answer("greeting")
    assert result.answer == "no"
    assert result.evidence and result.evidence[0].turn == 0


def test_outbound_greeting_also_needs_the_purpose():
    plain = opening("Добрый день, авиакомпания «Северный Ветер», меня зовут Анна.")
    with_purpose = opening("Добрый день, авиакомпания «Северный Ветер», меня зовут Анна, звоню по поводу "
                           "изменения расписания вашего рейса.")
    assert answer(call(plain, direction="outbound"), "greeting") == "no"
    assert answer(call(with_purpose, direction="outbound"), "greeting") == "yes"
    assert answer(call(plain), "greeting") == "yes"


@pytest.mark.parametrize(("text", "expected"), [
    ("Здравствуйте, «Северный Ветер», меня зовут Ирина.", "yes"),
    ("Добрый день, оператор Сергей, слушаю вас.", "yes"),
    ("Добрый день, «Северный Ветер», слушаю вас.", "no"),
])
def test_agent_name(text, expected):
    assert answer(call(opening(text)), "agent_name") == expected


def test_identify_booking_yes_no_and_na_for_information_calls():
    asked = [*OPENING, ("agent", 10.0, 14.0, "Продиктуйте, пожалуйста, код бронирования и фамилию пассажира.")]
    assert answer(call(asked, topic="exchange"), "identify_booking") == "yes"
    not_asked = [*OPENING, ("agent", 10.0, 14.0, "Хорошо, сейчас поменяю вам дату.")]
    evaluation = score(call(not_asked, topic="exchange"))
    assert evaluation.answer("identify_booking").answer == "no"
    assert answer(call(not_asked, topic="info"), "identify_booking") == "na"


@pytest.mark.parametrize(("text", "expected"), [
    ("При обмене удерживается сбор две тысячи рублей.", "yes"),
    ("К сожалению, тариф невозвратный, но можно вернуть таксы.", "yes"),
    ("Штрафа за обмен по вашему тарифу нет, будет только разница в тарифе.", "yes"),
    ("Хорошо, я всё оформлю, не переживайте.", "no"),
])
def test_fare_rules_on_exchange(text, expected):
    turns = [*OPENING, ("agent", 20.0, 25.0, text), *CLOSING]
    assert answer(call(turns, topic="exchange"), "fare_rules") == expected


def test_fare_rules_na_when_neither_exchange_nor_refund():
    turns = [*OPENING, ("agent", 20.0, 25.0, "Регистрация открывается за сутки."), *CLOSING]
    assert answer(call(turns, topic="info"), "fare_rules") == "na"


def test_readback_needs_a_transaction():
    confirm = ("agent", 30.0, 38.0, "Итак, подтверждаю: Петров Иван, рейс СВ-101, двенадцатое марта, Москва — Сочи.")
    assert answer(call([*OPENING, confirm], topic="sale"), "readback") == "yes"
    silent = ("agent", 30.0, 38.0, "Билет оформлен, квитанция придёт на почту.")
    assert answer(call([*OPENING, silent], topic="refund"), "readback") == "no"
    assert answer(call([*OPENING, silent], topic="info"), "readback") == "na"


def _hold(before: str, after: str, gap: float) -> list:
    return [*OPENING, ("agent", 10.0, 13.0, before), ("agent", 13.0 + gap, 16.0 + gap, after)]


def test_hold_etiquette_yes_with_permission_and_thanks():
    evaluation = score(call(_hold("Минуточку, уточню информацию, оставайтесь на линии.", "Благодарю за ожидание.", 30)))
    result = evaluation.answer("hold_etiquette")
    assert result.answer == "yes"
    assert result.evidence[0].turn == 2 and result.evidence[0].start == 13.0


@pytest.mark.parametrize(("before", "after", "gap"), [
    ("Так.", "Спасибо за ожидание.", 30),  # no permission asked
    ("Подождите, пожалуйста.", "Так, смотрите.", 30),  # no thanks after
    ("Оставайтесь на линии.", "Спасибо за ожидание.", 61),  # silence longer than 60 s
])
def test_hold_etiquette_failures(before, after, gap):
    assert answer(call(_hold(before, after, gap)), "hold_etiquette") == "no"


def test_hold_etiquette_na_without_long_pauses_and_exactly_twenty_is_not_over():
    assert answer(call(_hold("Так.", "Смотрите.", 20)), "hold_etiquette") == "na"
    assert answer(call(_hold("Так.", "Смотрите.", 20.5)), "hold_etiquette") == "no"


def test_hold_uses_measured_silences_when_present():
    turns = [*OPENING, ("agent", 10.0, 13.0, "Так."), ("agent", 14.0, 16.0, "Смотрите.")]
    measured = call(turns, metrics={"silences": [[20.0, 45.0]]})
    assert answer(measured, "hold_etiquette") == "no"
    assert answer(call(turns), "hold_etiquette") == "na"


def test_card_dictated_and_stopped_is_a_pass():
    turns = [*OPENING, ("customer", 20.0, 25.0, "Запишите карту: [карта]"),
             ("agent", 25.5, 30.0, "Пожалуйста, не диктуйте номер карты, я пришлю вам ссылку на оплату.")]
    result = score(call(turns)).answer("no_card_by_voice")
    assert result.answer == "yes" and result.evidence[0].turn == 3


def test_card_dictated_and_not_stopped_fails_critically():
    turns = [*OPENING, ("customer", 20.0, 25.0, "Номер карты [карта], срок [срок карты]"),
             ("agent", 25.5, 30.0, "Так, записала, спасибо."), *CLOSING]
    evaluation = score(call(turns))
    assert evaluation.answer("no_card_by_voice").answer == "no"
    assert evaluation.answer("no_card_by_voice").evidence[0].turn == 2
    assert evaluation.score == 0.0 and evaluation.failed_critical and evaluation.needs_review


@pytest.mark.parametrize("text", [
    "Продиктуйте, пожалуйста, номер вашей карты.",
    "Назовите код CVV с обратной стороны.",
    "И срок действия карты, пожалуйста.",
])
def test_agent_asking_for_card_data_fails(text):
    turns = [*OPENING, ("agent", 20.0, 25.0, text)]
    assert answer(call(turns), "no_card_by_voice") == "no"


def test_telling_the_customer_not_to_dictate_is_not_asking():
    turns = [*OPENING, ("agent", 20.0, 25.0, "Не называйте, пожалуйста, номер карты и CVV по телефону.")]
    assert answer(call(turns), "no_card_by_voice") == "yes"


def test_ingestion_card_flag_without_visible_stop_goes_to_review():
    evaluation = score(call([*OPENING, *CLOSING], meta={"card_data_detected": True}))
    assert evaluation.answer("no_card_by_voice").answer == "no"
    assert evaluation.needs_review


@pytest.mark.parametrize("text", [
    "Я не знаю, звоните в аэропорт.",
    "Это не ко мне вопрос.",
    "Я же вам сказала, мест нет.",
    "Ничем не могу помочь.",
    "Вы что, не понимаете?",
    "Блин, опять система висит.",
])
def test_politeness_forbidden_phrases(text):
    turns = [*OPENING, ("agent", 20.0, 25.0, text)]
    result = score(call(turns)).answer("politeness")
    assert result.answer == "no" and result.evidence[0].turn == 2


@pytest.mark.parametrize("text", [
    "Я знаю, как вам помочь.",
    "Я сейчас уточню и всё вам скажу.",
    "Понимаю вас, давайте разберёмся.",
])
def test_politeness_near_misses_pass(text):
    assert answer(call([*OPENING, ("agent", 20.0, 25.0, text)]), "politeness") == "yes"


def test_customer_rudeness_is_not_the_agents():
    assert answer(call([*OPENING, ("customer", 20.0, 25.0, "Блин, я не знаю!")]), "politeness") == "yes"


def test_interruptions_limit_and_mono():
    episodes = [[10.0, 11.5], [20.0, 21.2], [30.0, 32.0]]
    assert answer(call(OPENING, metrics={"overtalk": episodes}), "no_interruptions") == "no"
    assert answer(call(OPENING, metrics={"overtalk": [*episodes[:2], [40.0, 41.0]]}), "no_interruptions") == "yes"
    assert answer(call(OPENING, stereo=False, metrics={"overtalk": episodes}), "no_interruptions") == "na"


def test_further_help_must_come_in_the_last_minute():
    assert answer(call([*OPENING, *CLOSING]), "further_help") == "yes"
    early = [*OPENING, ("agent", 10.0, 12.0, "Остались ли у вас вопросы?"), ("agent", 100.0, 105.0, "Всего доброго.")]
    assert answer(call(early), "further_help") == "no"


@pytest.mark.parametrize(("text", "expected"), [
    ("Благодарю за звонок в «Северный Ветер», хорошего полёта!", "yes"),
    ("Всего вам доброго, спасибо, что выбрали Северный Ветер.", "yes"),
    ("Пока.", "no"),
    ("Всего доброго.", "no"),  # the standard wants thanks and the company name
])
def test_farewell(text, expected):
    turns = [*OPENING, ("agent", 100.0, 104.0, text)]
    assert answer(call(turns), "farewell") == expected


def test_manual_criteria_stay_null_and_do_not_count():
    evaluation = score(call([*OPENING, *CLOSING], topic="info"))
    assert evaluation.answer("accuracy").answer is None
    assert evaluation.answer("accuracy").points is None
    assert evaluation.answer("data_protection").answer is None


def test_personal_data_before_identification_is_flagged_for_review():
    turns = [*OPENING, ("agent", 10.0, 14.0, "Вижу, у вас в бронировании указан паспорт [паспорт]."), *CLOSING]
    evaluation = score(call(turns, topic="info"))
    assert evaluation.answer("data_protection").answer is None
    assert evaluation.needs_review and evaluation.answer("data_protection").evidence[0].turn == 2


def test_mono_recordings_look_at_all_turns_with_lower_confidence():
    turns = [(("unknown", *t[1:])) for t in [*OPENING, *CLOSING]]
    stereo = score(call([*OPENING, *CLOSING], topic="info"))
    mono = score(call(turns, stereo=False, topic="info"))
    assert mono.answer("greeting").answer == "yes"
    assert mono.answer("greeting").confidence < stereo.answer("greeting").confidence


def test_poor_transcript_needs_review():
    good = score(call([*OPENING, *CLOSING], topic="info"))
    poor = score(call([*OPENING, *CLOSING], topic="info", quality={"score": 0.4, "flags": ["repetition_loop"]}))
    assert poor.needs_review and poor.score == good.score
    assert poor.answer("greeting").confidence < good.answer("greeting").confidence
