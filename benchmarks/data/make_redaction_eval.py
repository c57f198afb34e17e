"""Build `redaction_eval.jsonl`: labelled Russian contact-center lines for benchmarks/redaction.py.

Run: `.venv/bin/python benchmarks/data/make_redaction_eval.py` (seeded: the output is the same
every time).  Two parts:

* HAND — lines written by hand the way callers, agents, chat users and Whisper write them,
  including the tricky negatives (ticket numbers, PNRs, flights, prices, dates, the airline's
  own line, order numbers that look like phones).  The data values in them are markup:
  ``{card/pairs}`` draws a fresh Luhn-valid card and says it in pairs, ``[[email:a@b.ru]]``
  is a literal labelled value, ``{ticket}`` a negative.  No real card number is stored.
* TEMPLATES — seeded combinations of phrasings × values × spoken styles.

The spoken forms are produced here by a number-to-words writer that shares no code with the
redactor's parser, so the benchmark does not grade the parser against itself.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).with_name("redaction_eval.jsonl")

UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
TEENS = ["десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать", "шестнадцать",
         "семнадцать", "восемнадцать", "девятнадцать"]
TENS = ["", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят",
        "девяносто"]
HUNDREDS = ["", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот", "восемьсот",
            "девятьсот"]
ORD_GEN = ["", "первого", "второго", "третьего", "четвёртого", "пятого", "шестого", "седьмого", "восьмого",
           "девятого", "десятого", "одиннадцатого", "двенадцатого"]
MONTHS_NOM = ["", "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
              "ноябрь", "декабрь"]


def say_below_1000(n: int) -> str:
    words = []
    if n >= 100:
        words.append(HUNDREDS[n // 100])
        n %= 100
    if 10 <= n < 20:
        words.append(TEENS[n - 10])
    else:
        if n >= 20:
            words.append(TENS[n // 10])
        if n % 10:
            words.append(UNITS[n % 10])
    return " ".join(words) or "ноль"


def say_thousands(n: int) -> str:
    thousands, rest = divmod(n, 1000)
    head = {1: "тысяча", 2: "две тысячи", 3: "три тысячи", 4: "четыре тысячи"}.get(thousands)
    head = head or f"{say_below_1000(thousands)} тысяч"
    return head + (f" {say_below_1000(rest)}" if rest else "")


def say_group(group: str, style: str) -> str:
    """A digit group as a person says it; leading zeros are said as «ноль»."""
    if style == "digits" or len(group) == 1:
        return " ".join(UNITS[int(d)] for d in group)
    zeros = len(group) - len(group.lstrip("0"))
    if zeros:
        return " ".join(["ноль"] * zeros + ([say_group(group[zeros:], style)] if group[zeros:] else []))
    if style == "thousands" and len(group) == 4:
        return say_thousands(int(group))
    if len(group) <= 3:
        return say_below_1000(int(group))
    return " ".join(say_group(group[i : i + 2], style) for i in range(0, len(group), 2))


def split(digits: str, sizes: list[int]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        out.append(digits[at : at + size])
        at += size
    if at < len(digits):
        out.append(digits[at:])
    return [g for g in out if g]


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        candidate = body + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            v = int(ch) * (2 if i % 2 else 1)
            total += v - 9 if v > 9 else v
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def card_digits(rng: random.Random) -> str:
    prefix, length = rng.choice([
        ("4276", 16), ("4279", 16), ("4", 16), ("5469", 16), ("5536", 16), ("2200", 16), ("2202", 16),
        ("2204", 16), ("2201", 16), ("5", 16), ("4", 13), ("37", 15), ("34", 15), ("62", 16), ("2200", 19),
        ("6762", 16), ("35", 16), ("4", 19),
    ])
    if prefix == "5":
        prefix = rng.choice(["51", "52", "53", "54", "55"])
    if prefix == "35":
        prefix = str(rng.randint(3528, 3589))
    return luhn_complete(prefix, length, rng)


def render_digits(digits: str, style: str, rng: random.Random, sizes: list[int] | None = None) -> str:
    """Digits in the style given: written (plain, grouped, dashed) or said (digits, pairs, mixed…)."""
    sizes = sizes or ([4, 6, 5] if len(digits) == 15 else [4] * 5)
    groups = split(digits, sizes)
    if style == "plain":
        return digits
    if style == "spaces":
        return " ".join(groups)
    if style == "dashes":
        return "-".join(groups)
    if style == "odd":
        return " ".join(split(digits, [rng.randint(2, 5) for _ in range(10)]))
    if style == "words":
        sep = rng.choice([" ", ", "])
        return sep.join(say_group(g, "digits") for g in groups)
    if style == "pairs":
        return ", ".join(say_group(g, "pairs") for g in groups)
    if style == "thousands":
        return ", ".join(say_group(g, "thousands") for g in groups)
    if style == "pause":
        pause = rng.choice(["... секунду...", ", подождите,", "... так, сейчас...", ", щас, момент,"])
        return " ".join(groups[:2]) + f"{pause} " + " ".join(groups[2:])
    if style == "mixed":
        return " ".join(g if rng.random() < 0.5 else say_group(g, rng.choice(["digits", "pairs"])) for g in groups)
    raise ValueError(style)


CARD_STYLES = ["plain", "spaces", "spaces", "dashes", "odd", "words", "pairs", "thousands", "mixed"]


def snils(rng: random.Random) -> str:
    while True:
        body = "".join(str(rng.randint(0, 9)) for _ in range(9))
        if body > "001001998":
            break
    total = sum(int(d) * (9 - i) for i, d in enumerate(body)) % 101
    return body + f"{0 if total == 100 else total:02d}"


def inn12(rng: random.Random) -> str:
    w11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    w12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    body = str(rng.randint(10, 99)) + "".join(str(rng.randint(0, 9)) for _ in range(8))
    d11 = sum(int(a) * b for a, b in zip(body, w11, strict=False)) % 11 % 10
    body += str(d11)
    d12 = sum(int(a) * b for a, b in zip(body, w12, strict=False)) % 11 % 10
    return body + str(d12)


def inn10(rng: random.Random) -> str:
    w = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    body = str(rng.randint(10, 99)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
    return body + str(sum(int(a) * b for a, b in zip(body, w, strict=False)) % 11 % 10)


NAMES = ["ivanov", "anna.petrova", "s.smirnov", "kuznetsova88", "olga_vetrova", "m.popov", "dmitry.k", "egor1990"]
DOMAINS = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "почта.рф"]


def value(kind: str, style: str, rng: random.Random) -> str:
    """A fresh value of `kind` in `style` (positives and negatives alike)."""
    if kind == "card":
        return render_digits(card_digits(rng), style or rng.choice(CARD_STYLES), rng)
    if kind == "cvv":
        code = f"{rng.randint(0, 999):03d}"
        style = style or rng.choice(["plain", "plain", "words", "hundreds"])
        if style == "words":
            return " ".join(UNITS[int(d)] for d in code)
        if style == "hundreds":
            return say_group(code, "pairs")
        return code
    if kind == "card_expiry":
        month, year = rng.randint(1, 12), rng.randint(25, 33)
        style = style or rng.choice(["slash", "slash", "long", "ordinal", "pairs", "month"])
        if style == "slash":
            return f"{month:02d}/{year}"
        if style == "long":
            return f"{month:02d}/20{year}"
        if style == "ordinal":
            tens, unit = divmod(year, 10)
            said_year = f"{TENS[tens]} {ORD_GEN[unit]}" if unit else {2: "двадцатого", 3: "тридцатого"}[tens]
            return f"{ORD_GEN[month]} {said_year}"
        if style == "pairs":
            return f"{say_group(f'{month:02d}', 'pairs')} {say_below_1000(year)}"
        return f"{MONTHS_NOM[month]} {year}-го"
    if kind == "phone":
        mobile = "9" + "".join(str(rng.randint(0, 9)) for _ in range(9))
        style = style or rng.choice(["plus", "eight", "plain", "dash", "compact", "words", "mixed", "ten"])
        a, b, c, d = mobile[:3], mobile[3:6], mobile[6:8], mobile[8:]
        if style == "plus":
            return f"+7 ({a}) {b}-{c}-{d}"
        if style == "eight":
            return f"8 {a} {b} {c} {d}"
        if style == "plain":
            return f"8{mobile}"
        if style == "compact":
            return f"+7{mobile}"
        if style == "dash":
            return f"8-{a}-{b}-{c}-{d}"
        if style == "ten":
            return f"{a} {b}-{c}-{d}"
        if style == "words":
            return "восемь " + ", ".join(say_group(g, "pairs") for g in (a, b, c, d))
        return f"8 {a} " + " ".join(say_group(g, "pairs") for g in (b, c, d))
    if kind == "passport":
        series = f"{rng.randint(1, 99):02d}{rng.randint(0, 25):02d}"
        number = f"{rng.randint(100000, 999999)}"
        style = style or rng.choice(["plain", "split", "words"])
        if style == "plain":
            return f"{series} {number}"
        if style == "split":
            return f"{series[:2]} {series[2:]} {number}"
        return f"{say_group(series[:2], 'pairs')} {say_group(series[2:], 'pairs')}, " + say_group(number, "pairs")
    if kind == "snils":
        s = snils(rng)
        return f"{s[:3]}-{s[3:6]}-{s[6:9]} {s[9:]}" if (style or rng.choice(["f", "f", "p"])) == "f" else s
    if kind == "inn":
        return inn12(rng) if (style or rng.choice(["12", "12", "10"])) == "12" else inn10(rng)
    if kind == "email":
        return f"{rng.choice(NAMES)}@{rng.choice(DOMAINS)}"
    # Negatives: values QA keeps.
    if kind == "ticket":
        digits = rng.choice(["555", "421", "262", "298", "195"]) + "".join(str(rng.randint(0, 9)) for _ in range(10))
        if style == "luhn":
            digits = luhn_complete(digits[:3], 13, rng)
        return rng.choice([digits, f"{digits[:3]} {digits[3:]}", f"{digits[:3]}-{digits[3:]}"])
    if kind == "pnr":
        alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ23456789" if rng.random() < 0.7 else "АБВГДЕЖКЛМНПРСТ23456789"
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([5, 6])))
    if kind == "flight":
        return rng.choice([f"SU {rng.randint(1000, 1999)}", f"N4-{rng.randint(100, 999)}", f"S7 {rng.randint(1, 999)}"])
    if kind == "amount":
        n = rng.randint(900, 98000)
        return rng.choice([f"{n} рублей", f"{n:,}".replace(",", " ") + " ₽", f"{say_thousands(n)} рублей"
                           if n >= 1000 else f"{n} руб."])
    if kind == "order":
        return "8" + "9" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    raise ValueError(kind)


_MARK = re.compile(r"\{(\w+)(?:/(\w+))?\}|\[\[(\w+):(.+?)\]\]")
KINDS = {"card", "cvv", "card_expiry", "passport", "phone", "email", "snils", "inn"}


def render(template: str, rng: random.Random) -> dict[str, object]:
    """Expand markup into text plus gold spans (offsets into the produced text)."""
    text, spans, at = "", [], 0
    for match in _MARK.finditer(template):
        text += template[at : match.start()]
        if match.group(1):
            kind, style = match.group(1), match.group(2) or ""
            piece = value(kind, style, rng)
        else:
            kind, piece = match.group(3), match.group(4)
        if kind in KINDS:
            spans.append({"start": len(text), "end": len(text) + len(piece), "kind": kind})
        text += piece
        at = match.end()
    text += template[at:]
    return {"text": text, "spans": spans}


HAND_PATH = Path(__file__).with_name("redaction_eval_hand.txt")
HOLDOUT_PATH = Path(__file__).with_name("redaction_eval_holdout.txt")
HOLDOUT_OUT = Path(__file__).with_name("redaction_eval_holdout.jsonl")


def templates(rng: random.Random) -> list[str]:
    """Seeded phrasings × values; each line is markup for `render`."""
    openers = ["", "Да, ", "Так, ", "Хорошо, ", "Записывайте: ", "Секунду... ", "Ага, "]
    card_lead = ["номер карты", "карта", "моя карта", "карточка", "номер карточки", "с карты", "оплатить картой"]
    lines: list[str] = []
    for _ in range(70):
        style = rng.choice(CARD_STYLES)
        lines.append(f"{rng.choice(openers)}{rng.choice(card_lead)} {{card/{style}}}")
    for _ in range(25):
        lines.append(rng.choice([
            "Вот номер {card}, срок действия {card_expiry}, код на обороте {cvv}",
            "карта {card/words} действует до {card_expiry/ordinal} и код cvv {cvv/words}",
            "{card} {card_expiry/slash} CVC {cvv}",
            "Оплачу картой {card/pairs}, годна до {card_expiry}, три цифры сзади {cvv/hundreds}",
        ]))
    for _ in range(30):
        lines.append(rng.choice([
            "Мой телефон {phone}", "перезвоните мне на {phone}", "номер для связи {phone}",
            "Телефон пассажира: {phone}, почта {email}", "мобильный {phone/words}", "{phone} — это мой номер",
            "можно на вотсап {phone}", "контактный номер {phone/mixed}",
        ]))
    for _ in range(20):
        lines.append(rng.choice([
            "Паспорт {passport}", "серия и номер паспорта {passport}", "паспорт гражданина РФ {passport/words}",
            "СНИЛС {snils}", "мой снилс {snils}", "ИНН {inn}", "инн для чека {inn}",
            "Пришлите билет на {email}", "адрес почты {email}, продублируйте",
        ]))
    for _ in range(60):
        lines.append(rng.choice([
            "Номер билета {ticket}, бронь {pnr}", "электронный билет {ticket/luhn} на рейс {flight}",
            "Ваш код бронирования {pnr}, рейс {flight} вылетает 12.07 в 10:40",
            "Стоимость обмена {amount}, сбор {amount}", "Билет {ticket} возвращён, сумма {amount}",
            "Багаж до 23 кг, ручная кладь 55x40x20 см, доплата {amount}",
            "Номер заказа {order}, ожидайте письмо", "По вопросам звоните 8 800 700-35-35",
            "Номер обращения 2024-0815-3341, бронь {pnr}", "EMD {ticket/luhn} за место 14A",
            "Рейс {flight} задерживается до 18:30, новая дата 21 ноября",
            "ваш билет номер {ticket/luhn}, проверьте", "Оплата {amount} прошла, бронь {pnr}",
        ]))
    return lines


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if line.strip() and not line.startswith("#")]


def _write(path: Path, items: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


def main() -> None:
    rng = random.Random(20261124)
    hand = [render(line, rng) for line in _lines(HAND_PATH)]
    generated = [render(line, rng) for line in templates(rng)]
    # The held-out lines draw from their own seed so editing the others does not change them.
    holdout = [render(line, random.Random(f"holdout-{i}")) for i, line in enumerate(_lines(HOLDOUT_PATH))]
    _write(OUT, hand + holdout + generated)
    _write(HOLDOUT_OUT, holdout)
    print(f"{len(hand) + len(holdout) + len(generated)} utterances ({len(hand) + len(holdout)} hand-written, "
          f"{len(holdout)} of them held out) → {OUT}")


if __name__ == "__main__":
    main()

