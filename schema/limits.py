"""Query limits, checked while validating, before any resolver runs: depth, aliases, cost, and the
guessing operations that may appear once per request. Every refusal is a GraphQL error with code
QUERY_TOO_COMPLEX and the limit it broke named in `extensions`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    Lexer,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
    ValidationContext,
    ValidationRule,
    VariableNode,
)

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_COST = 5000
API_KEY_MAX_COST = 2000  # partner apps get their own, smaller budget
OBJECT_COST = 2
SCALAR_COST = 1
UNKNOWN_PAGE_SIZE = 100  # `first` given by a variable: counted at the largest page
SINGLE_USE_FIELDS = frozenset(
    {"signIn", "verifySignIn", "verifyStepUp", "resetPassword", "requestPasswordReset"}
)
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def too_complex(message: str, limit: str, maximum: int, actual: int | None = None) -> GraphQLError:
    extensions: dict[str, Any] = {"code": QUERY_TOO_COMPLEX, "limit": limit, "maximum": maximum}
    if actual is not None:
        extensions["actual"] = actual
    return GraphQLError(message, extensions=extensions)


@lru_cache(maxsize=256)
def token_count_exceeds(query: str, maximum: int = MAX_TOKENS) -> bool:
    """Whether the document has more than `maximum` tokens, counted without parsing it (and remembered
    for the documents clients send again and again, like the parser and validation caches)."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > maximum:
                return True
    except GraphQLError:
        return False  # a syntax error: the parser reports it
    return False


@dataclass
class _Walk:
    """Depth and cost of one operation, following fragments once per path."""

    context: ValidationContext

    def depth(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                deepest = max(deepest, 1 + self.depth(selection.selection_set, seen))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set, seen))
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is not None:
                    inner = self.depth(fragment.selection_set, seen | {selection.name.value})
                    deepest = max(deepest, inner)
        return deepest

    def cost(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        variables: dict[str, int],
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        schema: GraphQLSchema = self.context.schema
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = parent.fields.get(selection.name.value)
                if field is not None:
                    total += self._field_cost(field, selection, variables, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = schema.get_type(condition.name.value) if condition else parent
                total += self.cost(inner, selection.selection_set, variables, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.context.get_fragment(selection.name.value)
                if fragment is not None:
                    inner = schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(
                        inner, fragment.selection_set, variables, seen | {selection.name.value}
                    )
        return total

    def _field_cost(
        self, field: GraphQLField, node: FieldNode, variables: dict[str, int], seen: frozenset[str]
    ) -> int:
        named = _named(field.type)
        if node.selection_set is None:
            return SCALAR_COST
        return OBJECT_COST + _page_size(field, node, variables) * self.cost(
            named, node.selection_set, variables, seen
        )


def _named(type_: GraphQLOutputType) -> GraphQLNamedType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _page_size(field: GraphQLField, node: FieldNode, variables: dict[str, int]) -> int:
    """A field with a `first` argument returns up to `first` items: its selection counts that often."""
    if "first" not in field.args:
        return 1
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        if isinstance(argument.value, IntValueNode):
            return max(0, int(argument.value.value))
        if isinstance(argument.value, VariableNode):
            return variables.get(argument.value.name.value, UNKNOWN_PAGE_SIZE)
        return UNKNOWN_PAGE_SIZE
    default = field.args["first"].default_value
    return default if isinstance(default, int) else UNKNOWN_PAGE_SIZE


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, int]:
    defaults = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


class QueryLimits(ValidationRule):
    """Depth, aliases, cost and single-use mutations of each operation of the document."""

    max_cost: ClassVar[int] = MAX_COST

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        walk = _Walk(self.context)
        depth = walk.depth(node.selection_set)
        if depth > MAX_DEPTH:
            self.report_error(
                too_complex(
                    f"The query is {depth} levels deep; at most {MAX_DEPTH}.", "depth", MAX_DEPTH, depth
                )
            )
        aliases = _count_aliases(node.selection_set, self.context, frozenset())
        if aliases > MAX_ALIASES:
            self.report_error(
                too_complex(
                    f"The query uses {aliases} aliases; at most {MAX_ALIASES}.",
                    "aliases",
                    MAX_ALIASES,
                    aliases,
                )
            )
        root = self.context.schema.get_root_type(node.operation)
        cost = walk.cost(root, node.selection_set, _variable_defaults(node))
        if cost > self.max_cost:
            self.report_error(
                too_complex(f"The query costs {cost}; at most {self.max_cost}.", "cost", self.max_cost, cost)
            )
        if node.operation is OperationType.MUTATION:
            names = [s.name.value for s in node.selection_set.selections if isinstance(s, FieldNode)]
            for name in sorted(SINGLE_USE_FIELDS):
                if names.count(name) > 1:
                    self.report_error(
                        too_complex(
                            f"`{name}` may appear once per request.", f"single:{name}", 1, names.count(name)
                        )
                    )


def _count_aliases(
    selection_set: SelectionSetNode | None, context: ValidationContext, seen: frozenset[str]
) -> int:
    if selection_set is None:
        return 0
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += (selection.alias is not None) + _count_aliases(selection.selection_set, context, seen)
        elif isinstance(selection, InlineFragmentNode):
            count += _count_aliases(selection.selection_set, context, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = context.get_fragment(selection.name.value)
            if fragment is not None:
                count += _count_aliases(fragment.selection_set, context, seen | {selection.name.value})
    return count


@cache
def query_limits(max_cost: int) -> type[QueryLimits]:
    """The limits with another cost budget; one class per budget, so validation caches keep working."""
    return type(f"QueryLimits{max_cost}", (QueryLimits,), {"max_cost": max_cost})
