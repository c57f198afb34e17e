"""What agents and customers say: airline scripts in Russian, with the faults some agents make.

Agents either follow the standard (`standards/airline-service-standard.md`) or break it in
one named way, so scoring has something to find.  Card numbers are never spoken in full:
the card fault is the agent *asking* for it, which is what the standard forbids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TOPICS = ("sale", "exchange", "refund", "baggage", "info", "complaint")
# Faults an agent profile can carry; each maps to a criterion of the standard.
FAULTS = ("no_greeting", "forbidden_phrase", "no_fare_rules", "card_by_voice", "long_hold", "slow_chat", "slow_email")
COMPANY = "Северный Ветер"
SIGNATURE = "С уважением,\n{name}\nКонтактный центр авиакомпании Северный Ветер\nТел. 8 800 555-35-35"


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    faults: tuple[str, ...] = ()


AGENTS = (
    Agent("A-101", "Анна"),
    Agent("A-102", "Ольга"),
    Agent("A-103", "Дмитрий"),
    Agent("A-104", "Игорь", ("no_greeting",)),
    Agent("A-105", "Светлана", ("forbidden_phrase", "no_fare_rules")),
    Agent("A-106", "Павел", ("card_by_voice",)),
    Agent("A-107", "Марина", ("long_hold", "slow_chat")),
    Agent("A-108", "Кирилл", ("slow_email",)),
)

CUSTOMERS = (
    ("Иван", "Петрович", "Смирнов"),
    ("Елена", "Сергеевна", "Кузнецова"),
    ("Алексей", "Иванович", "Попов"),
    ("Мария", "Андреевна", "Соколова"),
    ("Сергей", "Николаевич", "Лебедев"),
    ("Татьяна", "Викторовна", "Новикова"),
)
ROUTES = (("Москва", "Сочи"), ("Москва", "Калининград"), ("Санкт-Петербург", "Минеральные Воды"),
          ("Москва", "Мурманск"), ("Казань", "Москва"), ("Москва", "Архангельск"))
DATES = ("пятнадцатое декабря", "двадцатое декабря", "третье января", "десятое января")


@dataclass(frozen=True)
class Line:
    """One utterance; `pause` is the silence before it, in seconds."""

    speaker: str  # agent | customer
    text: str
    pause: float = 0.8


def pnr(rng: random.Random) -> str:
    """A booking code as agents spell it: six Latin letters/digits."""
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def _opening(agent: Agent, outbound: bool) -> Line:
    if "no_greeting" in agent.faults:
        return Line("agent", "Да. Слушаю.", 0.3)
    if outbound:
        return Line("agent", f"Здравствуйте! Авиакомпания {COMPANY}, меня зовут {agent.name}. "
                    "Звоню по поводу изменения расписания вашего рейса.", 0.5)
    return Line("agent", f"Здравствуйте! Авиакомпания {COMPANY}, меня зовут {agent.name}. Чем могу помочь?", 0.5)


def _identify(code: str, surname: str) -> list[Line]:
    return [
        Line("agent", "Назовите, пожалуйста, код бронирования и фамилию пассажира."),
        Line("customer", f"Код бронирования {' '.join(code)}, фамилия {surname}."),
        Line("agent", "Спасибо, бронирование нашла."),
    ]


def _hold(agent: Agent) -> list[Line]:
    if "long_hold" in agent.faults:
        return [Line("agent", "Минуту."), Line("agent", "Так, вижу.", 75.0)]
    return [
        Line("agent", "Оставайтесь, пожалуйста, на линии, я уточню информацию."),
        Line("agent", "Спасибо за ожидание.", 24.0),
    ]


def _payment(agent: Agent) -> list[Line]:
    if "card_by_voice" in agent.faults:
        return [
            Line("agent", "Продиктуйте, пожалуйста, номер карты, срок действия и код CVV с обратной стороны."),
            Line("customer", "Сейчас... номер начинается на четыре два семь шесть..."),
            Line("agent", "Да, записываю, продолжайте."),
        ]
    return [Line("agent", "Ссылку на оплату я отправлю вам в СМС. Оплата проходит на защищённой странице банка.")]


def _closing(agent: Agent) -> list[Line]:
    if "forbidden_phrase" in agent.faults:
        return [
            Line("customer", "А ещё подскажите, как лучше добраться до аэропорта?"),
            Line("agent", "Это не ко мне. Смотрите на сайте аэропорта."),
            Line("agent", "Всё. До свидания."),
        ]
    return [
        Line("agent", "Могу ли я ещё чем-то помочь?"),
        Line("customer", "Нет, спасибо."),
        Line("agent", f"Спасибо за обращение в авиакомпанию {COMPANY}. Всего доброго, хорошего полёта!"),
    ]


def call_lines(topic: str, agent: Agent, rng: random.Random, outbound: bool = False) -> list[Line]:
    """The whole conversation of one call on `topic`, shaped by the agent's faults."""
    first, _, surname = rng.choice(CUSTOMERS)
    origin, destination = rng.choice(ROUTES)
    date = rng.choice(DATES)
    code = pnr(rng)
    lines = [_opening(agent, outbound)]
    rude = "forbidden_phrase" in agent.faults
    skip_rules = "no_fare_rules" in agent.faults
    readback = Line("agent", f"Итак, подтверждаю: рейс {origin} — {destination}, {date}, пассажир {surname}. Верно?")
    if topic == "sale":
        lines += [
            Line("customer", f"Добрый день. Хочу купить билет {origin} — {destination} на {date}."),
            Line("agent", "Подскажите, пожалуйста, сколько пассажиров и нужен ли багаж?"),
            Line("customer", "Один взрослый, с багажом."),
            *_hold(agent),
            Line("agent", "Есть рейс в десять тридцать, тариф с багажом двенадцать тысяч четыреста рублей."),
            Line("customer", "Подходит, оформляйте."),
            Line("agent", "Назовите, пожалуйста, фамилию и имя пассажира как в паспорте."),
            Line("customer", f"{surname} {first}."),
            readback,
            Line("customer", "Да, всё верно."),
            *_payment(agent),
        ]
    elif topic == "exchange":
        lines += [Line("customer", "Здравствуйте. Мне нужно поменять дату вылета."), *_identify(code, surname)]
        lines += [Line("agent", "На какую дату вы хотите перенести вылет?"), Line("customer", f"На {date}.")]
        lines += _hold(agent)
        if skip_rules:
            lines.append(Line("agent", "Да, поменяем, сейчас всё сделаю."))
        else:
            lines.append(Line("agent", "Обмен по вашему тарифу возможен со сбором две тысячи пятьсот рублей "
                              "плюс разница в стоимости тарифа."))
        lines += [Line("customer", "Хорошо, меняйте."), readback, Line("customer", "Верно."), *_payment(agent)]
    elif topic == "refund":
        lines += [Line("customer", "Добрый день. Хочу вернуть билет, не смогу полететь."), *_identify(code, surname)]
        if skip_rules:
            lines.append(Line("agent", "Вернуть деньги не получится."))
        else:
            lines.append(Line("agent", "К сожалению, ваш тариф невозвратный. Вернуть можно только аэропортовые "
                              "сборы в размере тысячи восьмисот рублей."))
        lines += [Line("customer", "А если по болезни?")]
        if rude:
            lines.append(Line("agent", "Это не ко мне. Я же вам сказала, тариф невозвратный."))
        else:
            lines.append(Line("agent", "При вынужденном возврате по болезни нужна справка, тогда вернём полную "
                              "стоимость. Оформить заявку?"))
        lines += [Line("customer", "Пока не надо, спасибо.")]
    elif topic == "baggage":
        lines += [Line("customer", "Здравствуйте, хочу добавить багаж к билету."), *_identify(code, surname)]
        lines += [
            Line("agent", "Какой вес багажа планируете?"),
            Line("customer", "Один чемодан, килограмм двадцать."),
            Line("agent", "Место багажа до двадцати трёх килограмм стоит две тысячи пятьсот рублей, "
                 "оформим дополнительную услугу, квитанцию EMD пришлём на почту."),
            Line("customer", "Давайте."),
            *_payment(agent),
        ]
    elif topic == "info":
        if outbound:
            lines += [Line("customer", "Да, слушаю."), *_identify(code, surname)]
            lines += [Line("agent", "Ваш рейс перенесён на час позже, вылет в пятнадцать тридцать. Вам удобно?")]
            lines += [Line("customer", "Да, удобно.")]
        else:
            lines += [
                Line("customer", "Подскажите, рейс двести пятнадцать в Сочи вылетает по расписанию?"),
                Line("agent", "Сегодняшний рейс или завтрашний?"),
                Line("customer", "Сегодняшний."),
                Line("agent", "Рейс по расписанию, вылет в четырнадцать тридцать. "
                     "Регистрация закрывается за сорок минут до вылета."),
            ]
    else:  # complaint
        lines += [
            Line("customer", "Здравствуйте. Я прилетел, а моего чемодана нет! Это безобразие!"),
            *_identify(code, surname),
        ]
        if rude:
            lines += [Line("agent", "Это не ко мне. Звоните в аэропорт, ничем не могу помочь.")]
        else:
            lines += [
                Line("agent", "Приношу извинения за неудобства. Вы оформили акт о неисправности багажа в аэропорту?"),
                Line("customer", "Да, оформил."),
                Line("agent", "Я зарегистрировала обращение, номер сообщу в СМС. Багаж доставят по адресу."),
            ]
        # The escalation the demo's QA specialist searches for («руководителя»).
        lines += [
            Line("customer", "Если чемодан не найдут, я попрошу руководителя."),
            Line("agent", "Понимаю вас. Если багаж не найдут за сутки, я передам обращение руководителю смены."),
        ]
    return lines + _closing(agent)


def chat_messages(topic: str, agent: Agent, rng: random.Random) -> list[tuple[str, str]]:
    """(speaker, text) of one site chat; timing is decided by the caller."""
    _, _, surname = rng.choice(CUSTOMERS)
    origin, destination = rng.choice(ROUTES)
    hello = f"Здравствуйте! Меня зовут {agent.name}, авиакомпания {COMPANY}"
    if "no_greeting" in agent.faults:
        hello = "Добрый день"
    questions = {
        "sale": f"Сколько стоит билет {origin} — {destination} на выходные?",
        "exchange": "Можно поменять дату вылета?",
        "refund": "Как вернуть билет?",
        "baggage": "Сколько стоит дополнительный багаж?",
        "info": "Когда закрывается регистрация на рейс?",
        "complaint": "Рейс задержали на пять часов, хочу компенсацию.",
    }
    answers = {
        "sale": "На субботу есть тариф от восьми тысяч девятисот рублей. Оформить бронирование?",
        "exchange": "Обмен возможен со сбором две тысячи пятьсот рублей плюс разница в тарифе.",
        "refund": "Ваш тариф невозвратный: вернуть можно только аэропортовые сборы, 1800 рублей.",
        "baggage": "Место багажа до 23 кг стоит 2500 рублей, оформим как услугу EMD.",
        "info": "Регистрация закрывается за 40 минут до вылета.",
        "complaint": "Приношу извинения. Оформила претензию, ответ придёт на почту в течение 30 дней.",
    }
    if "no_fare_rules" in agent.faults and topic in ("exchange", "refund"):
        answers[topic] = "Да, можно, напишите в поддержку."
    messages = [("customer", questions[topic])]
    messages.append(("agent", f"{hello}. Назовите, пожалуйста, код бронирования или фамилию пассажира."))
    messages.append(("customer", f"{pnr(rng)}, {surname}"))
    if "card_by_voice" in agent.faults:
        messages.append(("agent", "Напишите номер карты, я проведу оплату."))
    messages.append(("agent", answers[topic]))
    messages.append(("customer", "Понятно, спасибо."))
    if "forbidden_phrase" not in agent.faults:
        messages.append(("agent", "Могу ли я ещё чем-то помочь?"))
        messages.append(("customer", "Нет, всё."))
        messages.append(("agent", f"Спасибо за обращение в авиакомпанию {COMPANY}! Хорошего полёта."))
    return messages


def email_bodies(topic: str, agent: Agent, customer: tuple[str, str, str]) -> tuple[str, str, str]:
    """(subject, customer's letter, agent's reply) of one e-mail thread."""
    first, patronymic, surname = customer
    subject = {
        "sale": "Покупка билета для группы",
        "exchange": "Обмен билета",
        "refund": "Возврат денег за билет",
        "baggage": "Провоз велосипеда",
        "info": "Вопрос о регистрации",
        "complaint": "Жалоба на задержку рейса",
    }[topic]
    letter = (
        f"Здравствуйте!\n\nПишу по теме «{subject.lower()}». Подскажите, пожалуйста, какие условия "
        f"и сколько это стоит? И можно ли сделать это онлайн?\n\n{first} {surname}"
    )
    if "slow_email" in agent.faults:
        reply = "Добрый день. Условия есть на сайте, там всё написано."
    else:
        reply = (
            f"Уважаемый(ая) {first} {patronymic}!\n\nСпасибо за обращение. По вашему вопросу: обмен и возврат "
            "выполняются по правилам тарифа, сбор за обмен составляет 2500 рублей; оформить можно онлайн в "
            f"личном кабинете.\n\n{SIGNATURE.format(name=agent.name)}"
        )
    return subject, letter, reply
