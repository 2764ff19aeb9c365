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
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.execution import values as graphql_values
from strawberry.types.field import StrawberryField

from schema.permissions import Info

# Where strawberry keeps, on a graphql-core field or argument, the strawberry object it was made from.
_DEFINITION = "strawberry-definition"


def selects(info: Info, *path: str) -> bool:
    """Whether the selection below this field reaches `path` (GraphQL field names), through fragments,
    leaving out what @skip and @include drop."""
    raw = info._raw_info
    return _reaches(list(raw.field_nodes), _Document(raw.fragments, _variables(info)), path)


@dataclass(frozen=True)
class _Document:
    """What walking a selection needs besides it: the named fragments and the variables' values."""

    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class Child:
    """A field selected directly below the current one, with its arguments' values (variables and
    defaults applied, GraphQL names; `python_arguments` by the resolver's names), the strawberry field
    it was made from, and whether its own selection reaches a path."""

    name: str
    arguments: dict[str, Any]
    node: FieldNode
    document: _Document
    field: StrawberryField | None
    python_arguments: dict[str, Any]

    def selects(self, *path: str) -> bool:
        return _reaches([self.node], self.document, path)


def children(info: Info) -> list[Child]:
    """The fields selected below this one (an object type's), once per selection (aliases apart), but
    those @skip or @include drop. A field whose arguments do not coerce is left out: resolving it
    reports the error."""
    raw = info._raw_info
    parent = get_named_type(raw.return_type)
    if not isinstance(parent, GraphQLObjectType):
        return []
    document = _Document(raw.fragments, _variables(info))
    # graphql-core 3.3 hands resolvers the coerced dict, and wants its container back here.
    variables: Any = document.variables
    if hasattr(graphql_values, "VariableValues"):
        variables = graphql_values.VariableValues(sources={}, coerced=dict(document.variables))
    found: list[Child] = []
    for node in raw.field_nodes:
        for child in _fields(node.selection_set, document):
            definition = parent.fields.get(child.name.value)
            if definition is None:  # __typename
                continue
            try:
                arguments = graphql_values.get_argument_values(definition, child, variables)
            except GraphQLError:
                continue
            field = definition.extensions.get(_DEFINITION)
            python_arguments = {
                getattr(definition.args[name].extensions.get(_DEFINITION), "python_name", name): value
                for name, value in arguments.items()
            }
            strawberry_field = field if isinstance(field, StrawberryField) else None
            found.append(
                Child(child.name.value, arguments, child, document, strawberry_field, python_arguments)
            )
    return found


def _variables(info: Info) -> Mapping[str, Any]:
    values: Any = info._raw_info.variable_values
    return getattr(values, "coerced", values) or {}


def _reaches(nodes: list[FieldNode], document: _Document, path: tuple[str, ...]) -> bool:
    for name in path:
        nodes = [
            child
            for node in nodes
            for child in _fields(node.selection_set, document)
            if child.name.value == name
        ]
        if not nodes:
            return False
    return True


def _fields(selection_set: SelectionSetNode | None, document: _Document) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if not _included(selection, document.variables):
            continue
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, document)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = document.fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, document)


def _included(selection: SelectionNode, variables: Mapping[str, Any]) -> bool:
    """False when @skip(if: true) or @include(if: false) drops the selection (the spec's rule)."""
    for directive in selection.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition = next(
            (argument.value for argument in directive.arguments or () if argument.name.value == "if"), None
        )
        if isinstance(condition, VariableNode):
            value = variables.get(condition.name.value)
        else:
            value = getattr(condition, "value", None)
        if (name == "skip" and value is True) or (name == "include" and value is False):
            return False
    return True
