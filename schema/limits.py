"""Query limits, checked before any resolver runs: depth, aliases, cost, and the operations that check a
secret the caller supplies, which may appear once per request. Every refusal is a GraphQL error with
code QUERY_TOO_COMPLEX and the limit it broke named in `extensions`.

Depth, aliases and the once-per-request rule depend on the document alone: a validation rule, cached
with the document's validation. The cost depends on the variables too (`first: $n`), so `CostLimit`
prices every request with its own coerced variables, after validation and before execution."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
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
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    TokenKind,
    ValidationRule,
    VariableNode,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from schema.documents import FragmentOf, fragments_of, operation_named, runs_of

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
MAX_COST = 5000
API_KEY_MAX_COST = 2000  # partner apps get their own, smaller budget
OBJECT_COST = 2
SCALAR_COST = 1
UNKNOWN_PAGE_SIZE = 100  # `first` given by a variable without a value: counted at the largest page
# Every mutation that checks a secret the caller supplies (password, code, token, security answer) or
# sends one: each may run once per request, however the document spells it (aliases, fragments).
SINGLE_USE_FIELDS = frozenset(
    {
        "signIn",
        "verifySignIn",
        "verifyStepUp",
        "verifyStepUpWithPasskey",
        "finishPasskeySignIn",
        "beginPasskeySignIn",
        "requestStepUpCode",
        "resetPassword",
        "requestPasswordReset",
        "changePassword",
        "confirmContactChange",
        "activateMember",
        "confirmTotp",
        "secureAccount",
        "unlockMember",
    }
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

    schema: GraphQLSchema
    fragment_of: FragmentOf

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
                fragment = self.fragment_of(selection.name.value)
                if fragment is not None:
                    inner = self.depth(fragment.selection_set, seen | {selection.name.value})
                    deepest = max(deepest, inner)
        return deepest

    def cost(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        variables: Mapping[str, Any],
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                field = parent.fields.get(selection.name.value)
                if field is not None:
                    total += self._field_cost(field, selection, variables, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.cost(inner, selection.selection_set, variables, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragment_of(selection.name.value)
                if fragment is not None:
                    inner = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(
                        inner, fragment.selection_set, variables, seen | {selection.name.value}
                    )
        return total

    def _field_cost(
        self, field: GraphQLField, node: FieldNode, variables: Mapping[str, Any], seen: frozenset[str]
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


def _page_size(field: GraphQLField, node: FieldNode, variables: Mapping[str, Any]) -> int:
    """A field with a `first` argument returns up to `first` items: its selection counts that often.

    `first` is what execution will see: the literal, or the variable's coerced value (the request's,
    else the operation's default); null means the field's default. A variable with no value at all
    counts at the largest page."""
    if "first" not in field.args:
        return 1
    default = field.args["first"].default_value
    field_default = default if isinstance(default, int) else UNKNOWN_PAGE_SIZE
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(0, int(value.value))
        if isinstance(value, NullValueNode):
            return field_default
        if isinstance(value, VariableNode):
            if value.name.value not in variables:
                return UNKNOWN_PAGE_SIZE
            given = variables[value.name.value]
            if given is None:
                return field_default
            return max(0, given) if isinstance(given, int) else UNKNOWN_PAGE_SIZE
        return UNKNOWN_PAGE_SIZE
    return field_default


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> int | None:
    """The cost of running `operation` with the request's variables, coerced as execution coerces them;
    None when they do not coerce (execution then answers why, and runs no resolver)."""
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables or {}))
    if isinstance(coerced, list):
        return None
    fragments = fragments_of(document)
    root = schema.get_root_type(operation.operation)
    return _Walk(schema, fragments.get).cost(root, operation.selection_set, coerced.coerced)


class QueryLimits(ValidationRule):
    """Depth, aliases and single-use mutations of each operation of the document."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        fragment_of = self.context.get_fragment
        depth = _Walk(self.context.schema, fragment_of).depth(node.selection_set)
        if depth > MAX_DEPTH:
            self.report_error(
                too_complex(
                    f"The query is {depth} levels deep; at most {MAX_DEPTH}.", "depth", MAX_DEPTH, depth
                )
            )
        aliases = _count_aliases(node.selection_set, fragment_of, frozenset())
        if aliases > MAX_ALIASES:
            self.report_error(
                too_complex(
                    f"The query uses {aliases} aliases; at most {MAX_ALIASES}.",
                    "aliases",
                    MAX_ALIASES,
                    aliases,
                )
            )
        if node.operation is OperationType.MUTATION:
            runs = runs_of(node, fragment_of)
            for name in sorted(SINGLE_USE_FIELDS & runs.keys()):
                if len(runs[name]) > 1:
                    self.report_error(
                        too_complex(
                            f"`{name}` may appear once per request.", f"single:{name}", 1, len(runs[name])
                        )
                    )


class CostLimit(SchemaExtension):
    """The cost limit of the operation that runs, priced with this request's variables.

    Not a validation rule: validation is cached per document, and the same document costs more with
    `{"n": 100}` than with its default `$n: Int = 1`. Refuses before any resolver runs."""

    def __init__(self, max_cost: int = MAX_COST) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = operation_named(document, context.operation_name) if document else None
        if document is not None and operation is not None and context.result is None:
            cost = operation_cost(context.schema._schema, document, operation, context.variables)
            if cost is not None and cost > self.max_cost:
                refusal = too_complex(
                    f"The query costs {cost}; at most {self.max_cost}.", "cost", self.max_cost, cost
                )
                context.result = ExecutionResult(data=None, errors=[refusal])
        yield


def _count_aliases(
    selection_set: SelectionSetNode | None, fragment_of: FragmentOf, seen: frozenset[str]
) -> int:
    if selection_set is None:
        return 0
    count = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            count += (selection.alias is not None) + _count_aliases(
                selection.selection_set, fragment_of, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            count += _count_aliases(selection.selection_set, fragment_of, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragment_of(selection.name.value)
            if fragment is not None:
                count += _count_aliases(fragment.selection_set, fragment_of, seen | {selection.name.value})
    return count
