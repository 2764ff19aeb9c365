"""The loads the account's fast fields declare (schema/fastpath/declared.py), which `account` loads ahead
(schema/fastpath/prefetch.py): the field is guarded by the permission its declaration carries, and what
hangs from its rows names fields that exist below them."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, build_schema, get_named_type

from schema import schema
from schema.fastpath.declared import LoadAhead, declaration_of

SDL = build_schema(schema.as_str())


def declared_fields(type_name: str) -> dict[str, tuple[Any, LoadAhead[Any, Any]]]:
    """The fields of `type_name` that declare a load, by GraphQL name, with the strawberry field."""
    graphql_type = SDL.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType)
    found = {}
    for name in graphql_type.fields:
        field = schema.get_field_for_type(name, type_name)
        declared = declaration_of(field) if field is not None else None
        if declared is not None:
            found[name] = (field, declared)
    return found


def reaches(type_name: str, field_name: str, path: tuple[str, ...]) -> bool:
    """Whether `path` (GraphQL names) leads from the field `field_name` of `type_name` to a field."""
    current = get_named_type(SDL.get_type(type_name).fields[field_name].type)  # type: ignore[union-attr]
    for name in path:
        if not isinstance(current, GraphQLObjectType) or name not in current.fields:
            return False
        current = get_named_type(current.fields[name].type)
    return True


def test_the_dashboards_fields_declare_their_loads() -> None:
    # given / when
    names = set(declared_fields("Account"))
    # then
    assert names == {"balance", "nextPayment", "statements", "payments", "members"}


def test_a_fast_field_is_guarded_by_the_permission_it_declares_alone() -> None:
    # given
    fields = declared_fields("Account")
    # when
    unlike = {
        name: field.permission_classes
        for name, (field, declared) in fields.items()
        if field.permission_classes != [declared.permission]
    }
    # then
    assert fields
    assert unlike == {}


def test_what_hangs_from_a_fields_rows_names_fields_below_them() -> None:
    # given
    fields = declared_fields("Account")
    # when
    paths = {
        (name, *declared.rows_at, *then.path)
        for name, (_, declared) in fields.items()
        for then in declared.then
    }
    # then
    assert paths == {
        ("statements", "edges", "node", "lineItems"),
        ("members", "edges", "node", "permissions"),
    }
    assert all(reaches("Account", name, tuple(path)) for name, *path in paths)
