"""What the client selected below the current field, so a resolver fetches children only when asked."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution import values as graphql_values

from schema.permissions import Info


def selects(info: Info, *path: str) -> bool:
    """Whether the selection below this field reaches `path` (GraphQL field names), through fragments.

    @skip and @include are not evaluated: a field they may drop counts as selected, so the answer
    errs towards fetching, never towards a missing value.
    """
    raw = info._raw_info
    return _reaches(list(raw.field_nodes), raw.fragments, path)


@dataclass(frozen=True)
class Child:
    """A field selected directly below the current one, with its arguments' values (variables and
    defaults applied, GraphQL names), and whether its own selection reaches a path."""

    name: str
    arguments: dict[str, Any]
    node: FieldNode
    fragments: Mapping[str, FragmentDefinitionNode]

    def selects(self, *path: str) -> bool:
        return _reaches([self.node], self.fragments, path)


def children(info: Info) -> list[Child]:
    """The fields selected below this one (an object type's), once per selection (aliases apart).
    A field whose arguments do not coerce is left out: resolving it reports the error."""
    raw = info._raw_info
    parent = get_named_type(raw.return_type)
    if not isinstance(parent, GraphQLObjectType):
        return []
    variables: Any = raw.variable_values
    if isinstance(variables, dict) and hasattr(graphql_values, "VariableValues"):
        # graphql-core 3.3 hands resolvers the coerced dict, and wants its container back here.
        variables = graphql_values.VariableValues(sources={}, coerced=variables)
    found: list[Child] = []
    for node in raw.field_nodes:
        for child in _fields(node.selection_set, raw.fragments):
            definition = parent.fields.get(child.name.value)
            if definition is None:  # __typename
                continue
            try:
                arguments = graphql_values.get_argument_values(definition, child, variables)
            except GraphQLError:
                continue
            found.append(Child(child.name.value, arguments, child, raw.fragments))
    return found


def _reaches(
    nodes: list[FieldNode], fragments: Mapping[str, FragmentDefinitionNode], path: tuple[str, ...]
) -> bool:
    for name in path:
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, fragments)
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
