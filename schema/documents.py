"""Reading a GraphQL document as execution will: its fragments, the operation that runs, the fields at
its root (fragments expanded) and the response keys each runs under. The query limits read documents
through these, so no spelling of a document counts differently."""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

FragmentOf = Callable[[str], FragmentDefinitionNode | None]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_fields(selection_set: SelectionSetNode, fragment_of: FragmentOf) -> list[FieldNode]:
    """The fields an operation runs at its root, with inline fragments and fragment spreads expanded
    (each named fragment once, as execution collects them). The once-per-request rule reads an
    operation this way, so no spelling of a document counts differently."""
    fields: list[FieldNode] = []
    visited: set[str] = set()

    def collect(selections: SelectionSetNode) -> None:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                fields.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in visited:
                visited.add(selection.name.value)
                fragment = fragment_of(selection.name.value)
                if fragment is not None:
                    collect(fragment.selection_set)

    collect(selection_set)
    return fields


def response_key(field: FieldNode) -> str:
    return (field.alias or field.name).value


def runs_of(operation: OperationDefinitionNode, fragment_of: FragmentOf) -> dict[str, set[str]]:
    """For each field of the root, the response keys it runs under: one resolver call per key (fields
    of one key merge into a single call)."""
    keys: dict[str, set[str]] = {}
    for field in root_fields(operation.selection_set, fragment_of):
        keys.setdefault(field.name.value, set()).add(response_key(field))
    return keys


def operation_named(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation that runs: the one called `name`, or the only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        return next((o for o in operations if o.name is not None and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None
