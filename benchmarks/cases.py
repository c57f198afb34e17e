"""Cases benchmark: reason/outcome accuracy, case-linking precision/recall, said-vs-done precision/recall,
FCR over a million contacts.  Every set is GENERATED here (seeded) with known truth.

Run: `.venv/bin/python benchmarks/cases.py [--seed 23] [--contacts 1000000]`.

The reason/outcome phrasings below were written as a separate list from the rules in
`qa_service/core/cases/reasons.py` (different wording, word order, typos and filler), and measured
once; they are still written by the same team as the rules, so the figure is optimistic next to
real traffic.  Linking: people with bookings over three channels, relatives sharing one phone, codes
typed with Cyrillic look-alikes or a wrong character.  Said vs done: contacts with planted discrepancies.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from qa_service.core.cases.commitments import find_commitments
from qa_service.core.cases.identifiers import digest, find_in_text, tenant_secret
from qa_service.core.cases.matching import Contact, Event, match_contact
from qa_service.core.cases.reasons import OUTCOMES, REASONS, detect_outcome, detect_reason
from qa_service.core.cases.repeats import fcr, repeat_flags

# --- held-out phrasings (customer's opening line per reason; agent's closing per outcome) -----------
HELD_OUT_REASONS = {
    "refund": ["Добрый день, можно ли сдать билет и получить деньги обратно?", "Я бы хотел оформить возврат",
               "верните пожалуйста деньги за перелёт, не полечу", "как мне вернуть средства за билеты",
               "Хочу отказаться от поездки и вернуть стоимость"],
    "exchange": ["Нужно поменять дату вылета на следующую неделю", "Можно перенести вылет на вечер?",
                 "хочу обменять билет на другой рейс", "Подскажите, как переоформить билет на другую дату",
                 "Хочу изменить дату поездки"],
    "sale": ["Хочу купить билет в Казань на пятницу", "Помогите приобрести два билета до Сочи",
             "Мне нужно забронировать перелёт в Минск", "хочу купить билеты на всю семью",
             "Можно у вас оформить билет до Москвы?"],
    "emd": ["Хочу выбрать место у окна", "Можно заказать питание на рейс?", "Как докупить страховку к билету?",
            "Хочу повысить класс обслуживания до бизнеса", "Нужно доплатить за место с увеличенным пространством"],
    "baggage": ["Сколько стоит дополнительный чемодан?", "Можно провезти лыжи?", "У меня перевес, что делать?",
                "Хочу добавить багаж к билету", "Можно взять собаку в салон?"],
    "disruption": ["Мой рейс задержали на пять часов, что теперь?", "Рейс отменили, я в аэропорту",
                   "Почему перенесли мой рейс?", "Я опоздал на стыковку из-за задержки", "Узнал, что отмена рейса"],
    "complaint": ["Хочу пожаловаться на сотрудника на регистрации", "Это безобразие, меня не посадили",
                  "Я очень недоволен обслуживанием", "Хочу написать претензию", "Оператор мне нахамил вчера"],
    "info": ["Подскажите, во сколько начинается регистрация?", "Какой терминал у рейса в Сочи?",
             "Хочу узнать статус рейса", "Уточните, пожалуйста, нормы провоза жидкостей",
             "Можно ли лететь по загранпаспорту"],
    "other": ["Здравствуйте", "Алло, вы меня слышите?", "Добрый вечер, это авиакомпания?",
              "Извините, ошибся номером", "Спасибо, до свидания"],
}
HELD_OUT_OUTCOMES = {
    "resolved": ["Всё готово, билет отправлен вам на почту.", "Готово, бронирование подтверждено.",
                 "Я всё оформила, остались ещё вопросы?", "Изменения выполнены успешно.",
                 "Рад был помочь, всего доброго"],
    "transferred": ["Сейчас переключу вас на отдел багажа.", "Соединяю вас со старшим смены.",
                    "Перевожу вас на специалиста по возвратам.", "Я переведу звонок в отдел продаж.",
                    "Переключаю на коллегу, не кладите трубку."],
    "callback": ["Мы вам перезвоним в течение часа.", "Специалист свяжется с вами завтра.",
                 "Я перезвоню вам, как только будет ответ.", "Оставлю заявку на обратный звонок.",
                 "Мы свяжемся с вами после проверки."],
    "customer_action": ["Отправила ссылку на оплату, оплатите в течение суток.", "Пришлите, пожалуйста, скан справки.",
                        "Вам нужно оплатить по ссылке из СМС.", "Необходимо приложить копию паспорта к письму.",
                        "Направьте нам фото багажной бирки."],
    "unresolved": ["К сожалению, помочь не можем.", "Это невозможно по правилам тарифа.", "Не получится это сделать.",
                   "К сожалению, сделать ничего не получится.", "Увы, мы не можем изменить это."],
}


def _confusion(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> str:
    counts = Counter(pairs)
    head = "| gold \\ predicted | " + " | ".join(labels) + " |"
    rule = "|---" * (len(labels) + 1) + "|"
    rows = [f"| {g} | " + " | ".join(str(counts.get((g, p), 0)) for p in labels) + " |" for g in labels]
    return "\n".join([head, rule, *rows])


def _per_class(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> str:
    lines = ["| class | n | recall | precision |", "|---|---|---|---|"]
    for label in labels:
        gold = sum(1 for g, _ in pairs if g == label)
        predicted = sum(1 for _, p in pairs if p == label)
        right = sum(1 for g, p in pairs if g == p == label)
        recall = right / gold if gold else float("nan")
        precision = right / predicted if predicted else float("nan")
        lines.append(f"| {label} | {gold} | {recall:.2f} | {precision:.2f} |")
    return "\n".join(lines)


def reasons_and_outcomes() -> None:
    reason_pairs = [(gold, detect_reason([("customer", text), ("agent", "Слушаю вас.")]).value)
                    for gold, texts in HELD_OUT_REASONS.items() for text in texts]
    outcome_pairs = [(gold, detect_outcome([("customer", "Хорошо."), ("agent", text)]).value)
                     for gold, texts in HELD_OUT_OUTCOMES.items() for text in texts]
    for title, pairs, labels in (("reason", reason_pairs, REASONS), ("outcome", outcome_pairs, OUTCOMES)):
        accuracy = sum(g == p for g, p in pairs) / len(pairs)
        print(f"\n## {title}: accuracy {accuracy:.2f} on {len(pairs)} held-out lines\n")
        print(_per_class(pairs, labels))
        print()
        print(_confusion(pairs, labels))


# --- linking -------------------------------------------------------------------------------------
_LOOKALIKE = {"A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т"}


def _code(rng: random.Random) -> str:
    return "".join(rng.choice("ABCEHKMPTX") for _ in range(3)) + str(rng.randint(1, 9)) + rng.choice("ABCEHKMPTX") + \
        str(rng.randint(0, 9))


def _typo(code: str, rng: random.Random) -> str:
    if rng.random() < 0.5:  # Cyrillic look-alikes: the same code to a person and to the linker
        return "".join(_LOOKALIKE.get(c, c) for c in code)
    i = rng.randrange(len(code))  # a wrong character: another code to anyone
    return code[:i] + ("7" if code[i] != "7" else "8") + code[i + 1:]


def linking(seed: int) -> None:
    from qa_service.config import Settings
    from qa_service.db.migrate import upgrade
    from qa_service.db.models import Tenant
    from qa_service.db.session import transaction
    from qa_service.services.cases.linking import link

    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="cases-bench-"))
    settings = Settings(environment="test", instance_dir=folder, secret_key="bench")
    upgrade(settings.sqlalchemy_url)
    secret = tenant_secret(b"bench", 1)
    contacts: list[tuple[int, list[str], datetime]] = []  # (true matter, keys, time)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    families = [f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
                for _ in range(60)]
    typos = 0
    for matter in range(200):
        code = _code(rng)
        family_phone = families[matter % len(families)]  # ~3 matters (relatives) share each phone
        moment = start + timedelta(hours=rng.randint(0, 500))
        for channel in ("call", "chat", "email")[: rng.randint(1, 3)]:
            said = code
            if rng.random() < 0.1:
                said, typos = _typo(code, rng), typos + 1
            parts = []
            if channel == "call" or rng.random() < 0.7:
                parts.append(f"бронь {said}")
            if channel != "email" or rng.random() < 0.5:
                parts.append(f"мой номер {family_phone}")
            text = ", ".join(parts)
            found = find_in_text(text)
            keys = sorted({f"{i.kind}:{digest(secret, i.kind, i.value)}" for i in found})
            contacts.append((matter, keys, moment))
            moment += timedelta(hours=rng.randint(1, 48))
    contacts.sort(key=lambda c: c[2])
    with transaction(settings.sqlalchemy_url) as session:
        session.add(Tenant(id=1, slug="bench", name="bench"))
        session.flush()
        assigned = [link(session, 1, keys, at, 7) for _, keys, at in contacts]
    truth = [c[0] for c in contacts]
    pairs_true = pairs_pred = both = 0
    for i in range(len(contacts)):
        for j in range(i + 1, len(contacts)):
            same_true = truth[i] == truth[j]
            same_pred = assigned[i] is not None and assigned[i] == assigned[j]
            pairs_true += same_true
            pairs_pred += same_pred
            both += same_true and same_pred
    print(f"\n## case linking: {len(contacts)} contacts of 200 matters, 60 phones shared by relatives, "
          f"{typos} codes typed with a look-alike or a wrong character\n")
    print(f"pairwise precision {both / pairs_pred:.3f} (pairs linked that are one matter), "
          f"recall {both / pairs_true:.3f} (pairs of one matter that were linked)")


# --- said vs done ----------------------------------------------------------------------------------
def said_vs_done(seed: int) -> None:
    rng = random.Random(seed)
    planted: set[tuple[int, str]] = set()
    found: set[tuple[int, str]] = set()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for i in range(400):
        begin = datetime(2026, 11, 10, tzinfo=UTC) + timedelta(minutes=37 * i)
        kind = rng.choice(("refund", "sale", "exchange"))
        amount = float(rng.choice((1800, 2500, 8900, 12400, 15350)))
        events: list[Event] = []
        if kind == "refund":
            agent = f"Оформила возврат, {int(amount)} рублей вернутся на карту в течение семи дней."
            if rng.random() < 0.25:
                planted.add((i, "refund_missing"))
            else:
                late = timedelta(hours=rng.choice((0, 0, 20)))  # some refunds reach the gateway late
                events.append(Event("payment_refunded", begin + timedelta(minutes=5) + late, amount))
            reason = "refund"
        elif kind == "sale":
            charged = amount
            if rng.random() < 0.2:
                charged, _ = amount + 1000, planted.add((i, "amount_mismatch"))
            agent = f"Билет оформлен, к оплате {int(amount)} рублей, ссылку на оплату отправила."
            events.append(Event("ticket_issued", begin + timedelta(minutes=3), charged))
            events.append(Event("payment_captured", begin + timedelta(minutes=6), charged))
            if rng.random() < 0.2:
                planted.add((i, "no_payment_link"))
            else:
                events.append(Event("payment_link_sent", begin + timedelta(minutes=4)))
            reason = "sale"
        else:
            if rng.random() < 0.25:
                agent = "Обмен выполнен, новый билет у вас на почте."
                planted.add((i, "no_readback"))
            else:
                agent = f"Обмен выполнен, сбор {int(amount)} рублей списан."
            events.append(Event("payment_captured", begin + timedelta(minutes=4), amount))
            reason = "exchange"
        turns = [("customer", "Здравствуйте."), ("agent", agent)]
        contact = Contact(i, begin, begin + timedelta(minutes=8), reason, None, find_commitments(turns))
        found |= {(d.interaction_id, d.kind) for d in match_contact(contact, events, now)}
    right = len(found & planted)
    print(f"\n## said vs done: 400 generated contacts, {len(planted)} planted discrepancies\n")
    by_kind = Counter(k for _, k in planted)
    for kind in sorted(by_kind):
        p = {x for x in planted if x[1] == kind}
        f = {x for x in found if x[1] == kind}
        print(f"- {kind}: planted {len(p)}, flagged {len(f)}, recall {len(p & f) / len(p):.2f}, "
              f"precision {len(p & f) / len(f) if f else float('nan'):.2f}")
    print(f"- all: precision {right / len(found):.3f}, recall {right / len(planted):.3f}")


def fcr_speed(contacts: int) -> None:
    rng = np.random.default_rng(1)
    cases = rng.integers(0, contacts // 3, contacts)
    starts = rng.uniform(0, 90 * 86400, contacts)
    fcr([True])  # statsmodels imported before the clock starts
    began = time.perf_counter()
    followed, _ = repeat_flags(cases, starts, 7 * 86400)
    result = fcr(followed)
    elapsed = time.perf_counter() - began
    print(f"\n## FCR over {contacts:,} contacts: {elapsed:.2f} s (target ≤ 2 s) → {result}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    args = parser.parse_args()
    reasons_and_outcomes()
    linking(args.seed)
    said_vs_done(args.seed)
    fcr_speed(args.contacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
