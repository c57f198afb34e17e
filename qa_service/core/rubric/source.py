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


def _walk(node: yaml.Node, path: FieldPath, lines: dict[FieldPath, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            lines[sub] = key.start_mark.line + 1
            _walk(value, sub, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _walk(value, (*path, index), lines)


def read_source(path: Path) -> RubricSource:
    """Parse the file; a YAML syntax error is raised as `yaml.YAMLError` with its mark."""
    text = path.read_text("utf-8")
    # Bounded: an uploaded rubric is untrusted text (a "billion laughs" of aliases is refused here).
    node = compose_bounded(text)
    lines: dict[FieldPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    data = safe_load_bounded(text)
    return RubricSource(file=str(path), text=text, data=data, lines=lines)
