r"""Rubric regular expressions, compiled by RE2: matching time linear in the text, whatever the pattern.

A rubric is written by a tenant admin and runs on every turn of every interaction in the shared
workers.  Python's `re` backtracks: `(a+)+$` on a long turn never finishes and holds the worker
(and the other airline's chats behind it).  RE2 (Google's engine, through its maintained
binding) has no backtracking; what it cannot express in linear time — backreferences,
lookarounds — it refuses to compile, and the rubric check reports that with file, line and field.

Python's classes are Unicode, RE2's are ASCII: `\w` would silently stop matching Cyrillic.  So
`\w \W \s \S` are rewritten to their Unicode spelling (`[\pL\pN_]`…) and `\uXXXX`/`\UXXXXXXXX`
to `\x{…}`; `\b`/`\B`, which RE2 knows only for Latin letters, are refused with the spelling to use:
`(?:^|\W)(?P<m>…)(?:\W|$)` — the named group `m`, when present, is the evidence span.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal is reported to the rubric's author, not to stderr
_OPTIONS.max_mem = 8 << 20  # a pattern whose automaton would need more is refused, not built


class PatternError(ValueError):
    """RE2 cannot compile this pattern (or it needs too much memory)."""


class Match(Protocol):
    def start(self, group: int = 0) -> int: ...
    def end(self, group: int = 0) -> int: ...
    def group(self, group: int = 0) -> Any: ...


class Pattern(Protocol):
    """What scoring uses of a compiled pattern (the same calls as `re.Pattern`)."""

    pattern: str

    def search(self, text: str) -> Match | None: ...
    def finditer(self, text: str) -> Iterator[Match]: ...


EVIDENCE_GROUP = "m"
_WORD, _SPACE = r"\pL\pN_", r"\s\pZ"
_OUTSIDE = {"w": f"[{_WORD}]", "W": f"[^{_WORD}]", "s": f"[{_SPACE}]", "S": f"[^{_SPACE}]"}
_INSIDE = {"w": _WORD, "s": _SPACE}
_HEX = set("0123456789abcdefABCDEF")


def to_re2(source: str) -> str:
    r"""Python's spelling of a pattern in RE2's, with Python's Unicode classes; `PatternError` for `\\b`."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            width = {"u": 4, "U": 8}.get(nxt, 0)
            if width and set(source[i + 2:i + 2 + width]) <= _HEX and len(source[i + 2:i + 2 + width]) == width:
                out.append("\\x{" + source[i + 2:i + 2 + width].lstrip("0").rjust(1, "0") + "}")
                i += 2 + width
                continue
            if not in_class and nxt in "bB":
                raise PatternError("\\b в RE2 знает только латиницу: пишите (?:^|\\W)(?P<m>…)(?:\\W|$); "
                                   "\\b in RE2 knows Latin letters only: write (?:^|\\W)(?P<m>…)(?:\\W|$)")
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(nxt, char + nxt))
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            # A ']' or '^]' right after '[' is a literal, not the end of the class.
            if source[i + 1:i + 2] == "^":
                out.append("^")
                i += 1
            if source[i + 1:i + 2] == "]":
                out.append("\\]")
                i += 1
        elif char == "]" and in_class:
            in_class = False
            out.append(char)
        else:
            out.append(char)
        i += 1
    return "".join(out)


def evidence_span(pattern: Pattern, match: Match) -> tuple[int, int]:
    """Where the evidence is: the `m` group when the pattern names one (the rest is context)."""
    group = getattr(pattern, "groupindex", {}).get(EVIDENCE_GROUP, 0)
    start, end = match.start(group), match.end(group)
    return (start, end) if start >= 0 else (match.start(), match.end())


def compile_pattern(source: str) -> Pattern:
    """The pattern compiled by RE2, or `PatternError` saying why not."""
    try:
        compiled: Pattern = re2.compile(to_re2(source), options=_OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(f"{text} (RE2: без обратных ссылок и просмотра вперёд/назад; "
                           f"no backreferences or lookarounds)") from None
    return compiled
