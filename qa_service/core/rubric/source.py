"""Reading a rubric file: YAML data plus the line of every field, for error messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qa_service.core.yaml_input import compose_bounded, safe_load_bounded

FieldPath = tuple[str | int, ...]


@dataclass
class RubricSource:
    """The raw YAML tree of a rubric file and where each field sits in it."""

    file: str
    text: str
    data: Any
    lines: dict[FieldPath, int]

    def line_of(self, path: FieldPath) -> int:
        """Line of the field, or of its closest existing parent."""
        probe = tuple(path)
        while probe not in self.lines and probe:
            probe = probe[:-1]
        return self.lines.get(probe, 1)


def field_name(path: FieldPath) -> str:
    """`sections[0].criteria[2].rule.kind` style name of a field path."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".") or "(файл)"


# A rubric has a few hundred fields; aliases may repeat a node, but a tree this large once
# they are expanded is a "billion laughs" bomb (9 levels of 9 aliases: 387 million nodes).
MAX_EXPANDED_NODES = 100_000


class RubricTooLarge(yaml.YAMLError):
    """The YAML tree, with its aliases expanded, has more than `MAX_EXPANDED_NODES` nodes."""


def _walk(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise RubricTooLarge(f"more than {MAX_EXPANDED_NODES} YAML nodes once aliases are expanded")
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            lines[sub] = key.start_mark.line + 1
            _walk(value, sub, lines, budget)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _walk(value, (*path, index), lines, budget)


def read_source(path: Path) -> RubricSource:
    """Parse the file; a YAML syntax error is raised as `yaml.YAMLError` with its mark.

    Text that is not UTF-8 raises `UnicodeDecodeError`.  An uploaded rubric is untrusted text:
    a "billion laughs" of aliases is refused while composing (`YamlTooLarge`) and again while
    walking the tree for field lines (`RubricTooLarge`).
    """
    return parse_source(path.read_bytes().decode("utf-8"), str(path))


def parse_source(text: str, file: str) -> RubricSource:
    """Parse a rubric's text (`file` names it in problems); raises as `read_source` does."""
    node = compose_bounded(text)
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _walk(node, (), lines, [MAX_EXPANDED_NODES])
    data = safe_load_bounded(text)
    return RubricSource(file=file, text=text, data=data, lines=lines)
