"""Repeat contacts and first-contact resolution (FCR), vectorised: a million contacts in well under a second.

A contact is *followed by a repeat* when another contact of the same case starts within the
window after it; the repeat is attributed to that earlier contact (it left the matter open).
FCR of a set of contacts = the share not followed by a repeat, with its Wilson 95 % interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qa_service.core.agreement import wilson


@dataclass(frozen=True)
class Fcr:
    rate: float | None
    n: int
    low: float | None
    high: float | None

    def to_json(self) -> dict[str, float | int | None]:
        return {"rate": self.rate, "n": self.n, "low": self.low, "high": self.high}


def repeat_flags(case_ids: npt.ArrayLike, starts: npt.ArrayLike, window_seconds: float
                 ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(followed by a repeat, is a repeat) per contact, in the input order.

    `case_ids` are integers (a contact without a case gets a unique negative id), `starts` epoch seconds.
    """
    cases = np.asarray(case_ids, dtype=np.int64)
    times = np.asarray(starts, dtype=np.float64)
    order = np.lexsort((times, cases))
    sorted_cases, sorted_times = cases[order], times[order]
    same_next = sorted_cases[1:] == sorted_cases[:-1]
    close = (sorted_times[1:] - sorted_times[:-1]) <= window_seconds
    link = same_next & close
    followed = np.zeros(len(cases), dtype=bool)
    repeat = np.zeros(len(cases), dtype=bool)
    followed[order[:-1]] = link
    repeat[order[1:]] = link
    return followed, repeat


def fcr(followed_by_repeat: npt.ArrayLike) -> Fcr:
    """FCR of the contacts given by their followed-by-repeat flags."""
    flags = np.asarray(followed_by_repeat, dtype=bool)
    n = int(flags.size)
    if n == 0:
        return Fcr(None, 0, None, None)
    resolved = n - int(flags.sum())
    low, high = wilson(resolved, n)
    return Fcr(round(resolved / n, 4), n, low, high)
