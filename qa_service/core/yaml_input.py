"""Untrusted YAML (rubric files an admin uploads): `safe_load` with the alias expansion bounded.

PyYAML shares an aliased node instead of copying it, so a "billion laughs" document loads
small, and then grows without limit the first time anything walks it (validation, JSON,
a deep copy): one upload grew to 8.6 GiB.  We compose the node graph first and count the
nodes it would expand to (memoised per node, so the count itself is linear) before building
any Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

from qa_service.core.errors import UserFacingError

MAX_NODES = 200_000  # a real rubric has a few thousand


class YamlTooLarge(UserFacingError):
    """A YAML document whose aliases expand beyond `MAX_NODES`."""


def expanded_size(root: yaml.Node) -> int:
    """Nodes the document would have with every alias expanded (iterative: deep documents too)."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if not children_done and id(node) in visiting:  # `&a [*a]`: a node inside itself never ends
            return MAX_NODES + 1
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if children_done:
            sizes[id(node)] = min(MAX_NODES + 1, 1 + sum(sizes.get(id(c), 1) for c in children))
            continue
        visiting.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def compose_bounded(text: str, what: str = "YAML") -> yaml.Node | None:
    """The composed node tree, refused when aliases would expand it past `MAX_NODES`."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None and expanded_size(node) > MAX_NODES:
        raise YamlTooLarge(
            f"{what}: ссылки (&якорь/*ссылка) разворачиваются больше чем в {MAX_NODES} узлов",
            f"{what}: aliases (&anchor/*alias) expand to more than {MAX_NODES} nodes",
        )
    return node


def safe_load_bounded(text: str, what: str = "YAML") -> Any:
    """`yaml.safe_load` for untrusted text; raises `YamlTooLarge` or `yaml.YAMLError`."""
    node = compose_bounded(text, what)
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()
