"""What the client selected below the current field, so a resolver fetches children only when asked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from schema.permissions import Info


def selects(info: Info, *path: str) -> bool:
    """Whether the selection below this field reaches `path` (GraphQL field names), through fragments.

    @skip and @include are not evaluated: a field they may drop counts as selected, so the answer
    errs towards fetching, never towards a missing value.
    """
    raw = info._raw_info
    nodes: list[FieldNode] = list(raw.field_nodes)
    for name in path:
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, raw.fragments)
            if child.name.value == name
        ]
        if not nodes:
            return False
    return True


def _fields(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)
