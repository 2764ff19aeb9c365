"""The GraphQL documents the portal sends, read from its sources (the `graphql(`...`)` calls in web/src,
what codegen reads too), each operation with the fragments it spreads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

WEB_SOURCES = Path(__file__).resolve().parent.parent / "web" / "src"
GRAPHQL_CALL = re.compile(r"graphql\(\s*`([^`]*)`", re.DOTALL)


@dataclass(frozen=True)
class PortalDocument:
    name: str
    operation: OperationType
    text: str  # the operation and the fragments it spreads
    source: Path


def portal_documents() -> list[PortalDocument]:
    """Every operation of web/src, by name, with the fragments it needs appended."""
    operations: list[tuple[OperationDefinitionNode, Path]] = []
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path in sorted(WEB_SOURCES.rglob("*.ts*")):
        for match in GRAPHQL_CALL.finditer(path.read_text()):
            for definition in parse(match.group(1)).definitions:
                if isinstance(definition, FragmentDefinitionNode):
                    fragments[definition.name.value] = definition
                elif isinstance(definition, OperationDefinitionNode):
                    operations.append((definition, path))
    documents = []
    for operation, path in operations:
        assert operation.name is not None, f"an unnamed operation in {path}"
        needed = [fragments[name] for name in _spread(operation, fragments)]
        text = "\n".join(print_ast(node) for node in [operation, *needed])
        documents.append(PortalDocument(operation.name.value, operation.operation, text, path))
    return documents


def _spread(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> list[str]:
    """The names of the fragments `operation` spreads, directly or through other fragments."""
    found: list[str] = []
    pending: list[OperationDefinitionNode | FragmentDefinitionNode] = [operation]
    while pending:
        for name in _spreads_in(pending.pop()):
            if name not in found:
                found.append(name)
                pending.append(fragments[name])
    return found


def _spreads_in(node: OperationDefinitionNode | FragmentDefinitionNode) -> list[str]:
    names: list[str] = []

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            names.append(spread.name.value)

    visit(node, Spreads())
    return names
