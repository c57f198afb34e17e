"""Draw the package's layers and features from its imports: the Mermaid diagrams of docs/architecture.md.

    PYTHONPATH=. python docs/import_graph.py --write     # rewrites the diagrams in docs/architecture.md
    PYTHONPATH=. python docs/import_graph.py             # prints them

It builds the import graph with grimp (import-linter's own graph library) and squashes the
modules into boxes: the layers (one box each), and the feature packages of services/ and
web/ui/ (one box each).  One arrow per pair of boxes with at least one import between them
("a --> b": a imports b).  The output is sorted, so a change in a diagram is a change in the code.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import grimp

ROOT = "qa_service"
LAYERS = ("cli", "workers", "web", "jobs", "schedules", "demo", "simulator", "services", "db", "connectors",
          "asr", "config", "logging_setup", "core")
FEATURE_LAYERS = ("services", "web.ui")  # their sub-packages are drawn one box each


def box_of(module: str, features: dict[str, set[str]]) -> str | None:
    """The box a module is drawn in: `services.review`, `web.ui.review`, or a layer such as `core`."""
    name = module.removeprefix(f"{ROOT}.")
    for layer in FEATURE_LAYERS:
        head, _, rest = name.partition(f"{layer}.")
        if not head and rest and rest.split(".")[0] in features[layer]:
            return f"{layer}.{rest.split('.')[0]}"
    top = name.split(".")[0]
    return top if top in LAYERS else None


def feature_packages(graph: grimp.ImportGraph, layer: str) -> set[str]:
    prefix = f"{ROOT}.{layer}."
    return {m.removeprefix(prefix) for m in graph.find_children(f"{ROOT}.{layer}")
            if graph.find_children(m)} if f"{ROOT}.{layer}" in graph.modules else set()


def edges(graph: grimp.ImportGraph) -> Counter[tuple[str, str]]:
    features = {layer: feature_packages(graph, layer) for layer in FEATURE_LAYERS}
    counted: Counter[tuple[str, str]] = Counter()
    for module in graph.modules:
        source = box_of(module, features)
        if source is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = box_of(imported, features)
            if target is not None and target != source:
                counted[(source, target)] += 1
    return counted


def node_id(box: str) -> str:
    return box.replace(".", "_")


def layers_view(counted: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Features folded into their layer: services.review → services, web.ui.review → web."""
    def fold(box: str) -> str:
        return "web" if box.startswith("web.") else box.split(".")[0]

    folded: Counter[tuple[str, str]] = Counter()
    for (a, b), n in counted.items():
        if fold(a) != fold(b):
            folded[(fold(a), fold(b))] += n
    return folded


def features_view(counted: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """Only the imports from one feature package to another's."""
    return Counter({(a, b): n for (a, b), n in counted.items()
                    if a.startswith(FEATURE_LAYERS) and b.startswith(FEATURE_LAYERS) and a.count(".") and b.count(".")
                    and a.split(".")[-1] != b.split(".")[-1]})


def mermaid(counted: Counter[tuple[str, str]]) -> str:
    boxes = sorted({b for pair in counted for b in pair})
    lines = ["flowchart LR" if any("." in b for b in boxes) else "flowchart TD"]
    for layer in FEATURE_LAYERS:
        members = [b for b in boxes if b.startswith(f"{layer}.")]
        if members:
            lines.append(f"  subgraph {node_id(layer)}_features [{layer.replace('.', '/')}/]")
            lines += [f"    {node_id(b)}[{b.split('.')[-1]}]" for b in members]
            lines.append("  end")
    lines += [f"  {node_id(b)}[{b}]" for b in boxes if "." not in b]
    lines += [f"  {node_id(a)} --> {node_id(b)}" for a, b in sorted(counted)]
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- import-graph:begin (docs/import_graph.py --write) -->", "<!-- import-graph:end -->"
DOC = Path(__file__).with_name("architecture.md")


def diagrams(graph: grimp.ImportGraph) -> str:
    counted = edges(graph)
    return (f"{BEGIN}\n**Layers** (who imports whom):\n\n```mermaid\n{mermaid(layers_view(counted))}```\n\n"
            f"**Features** (imports from one feature package into another's):\n\n"
            f"```mermaid\n{mermaid(features_view(counted))}```\n{END}")


def main(argv: list[str]) -> int:
    text = diagrams(grimp.build_graph(ROOT))
    if "--write" not in argv:
        sys.stdout.write(text + "\n")
        return 0
    doc = DOC.read_text("utf-8")
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    DOC.write_text(doc[:start] + text + doc[end:], "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
