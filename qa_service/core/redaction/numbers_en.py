"""Numbers in English words, as a customer writes or an English-speaking caller says them.

«four one one one …», «forty-one eleven …», «zero», «oh»: cardinal words only, each a value the
Russian table's classes compose (tens then a unit: «forty one» → 41).  Hundreds and thousands are
left out: a card is read digit by digit or in pairs, and «one hundred» does not compose the Russian
way («сто» is one word).
"""

from __future__ import annotations

ENGLISH_CARDINALS: dict[int, tuple[str, ...]] = {
    0: ("zero", "oh", "nought"), 1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",),
    6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 11: ("eleven",), 12: ("twelve",),
    13: ("thirteen",), 14: ("fourteen",), 15: ("fifteen",), 16: ("sixteen",), 17: ("seventeen",),
    18: ("eighteen",), 19: ("nineteen",), 20: ("twenty",), 30: ("thirty",), 40: ("forty", "fourty"),
    50: ("fifty",), 60: ("sixty",), 70: ("seventy",), 80: ("eighty",), 90: ("ninety",),
}
