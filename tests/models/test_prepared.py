"""PreparedQuery: SQL built once per shape, new values bound on each fetch, rows as tortoise makes them."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.functions import Count
from tortoise.models import Model

from models.access import Permission
from models.accounts.models import Account
from models.billing.models import (
    AutopayEnrollment,
    LineItem,
    Payment,
    PaymentSource,
    Statement,
    StatementStatus,
)
from models.db.prepared import PreparedQuery
from models.members.models import Member, PermissionGrant
from tests.billing_support import add_card, issue
from tests.support import make_account, make_member


async def test_a_scalar_argument_is_bound_anew_on_each_fetch() -> None:
    """Each fetch returns the rows of its own argument, the same as the plain queryset."""
    # given
    first, second = await make_account("First"), await make_account("Second")
    await issue(first, 1000)
    await issue(second, 2000)
    await issue(second, 3000)
    query = PreparedQuery(Statement, lambda account: Statement.filter(account_id=account).order_by("id"))
    # when
    found = {account.id: await query.fetch(account.id) for account in (first, second)}
    # then
    for account in (first, second):
        plain = await Statement.filter(account_id=account.id).order_by("id")
        assert [s.id for s in found[account.id]] == [s.id for s in plain]
    assert [s.amount_due for s in found[second.id]] == [2000, 3000]
    assert len(query._shapes) == 1


async def test_an_in_list_gets_one_shape_per_length() -> None:
    """IN lists of 1 and 3 ids each find their rows; a second list of 1 reuses the first shape."""
    # given
    accounts = [await make_account(f"Account {n}") for n in range(4)]
    ids = [account.id for account in accounts]
    query = PreparedQuery(Account, lambda wanted: Account.filter(id__in=wanted).order_by("id"))
    # when
    one = await query.fetch([ids[0]])
    three = await query.fetch(ids[1:])
    another_one = await query.fetch([ids[3]])
    # then
    assert [a.id for a in one] == [ids[0]]
    assert [a.id for a in three] == ids[1:]
    assert [a.id for a in another_one] == [ids[3]]
    assert len(query._shapes) == 2


async def test_a_string_argument_is_bound() -> None:
    """A str argument (a CharField) finds the row of each value."""
    # given
    await make_account("The Smiths")
    joneses = await make_account("The Joneses")
    query = PreparedQuery(Account, lambda name: Account.filter(name=name))
    # when
    found = await query.fetch("The Joneses")
    missing = await query.fetch("The Browns")
    # then
    assert [a.id for a in found] == [joneses.id]
    assert missing == []


async def test_a_string_argument_on_a_short_char_field_is_bound() -> None:
    """A str argument finds the account by its number (a CharField of 16)."""
    # given
    account = await make_account(number="1234567890")
    query = PreparedQuery(Account, lambda number: Account.filter(number=number))
    # when
    found = await query.fetch("1234567890")
    # then
    assert [a.id for a in found] == [account.id]


async def test_select_related_populates_the_related_row() -> None:
    """Each payment comes with the payment method it used, for whichever id is bound."""
    # given
    account = await make_account()
    visa = await add_card(account, "tok_visa")
    mastercard = await add_card(account, "tok_mastercard", default=False)
    payments = [
        await Payment.create(
            account_id=account.id,
            amount=1000,
            source=PaymentSource.MANUAL,
            idempotency_key=f"key-{method.id}",
            request_fingerprint="fingerprint",
            payment_method_id=method.id,
        )
        for method in (visa, mastercard)
    ]
    query = PreparedQuery(Payment, lambda pk: Payment.filter(id=pk).select_related("payment_method"))
    # when
    found = [(await query.fetch(payment.id))[0] for payment in payments]
    # then
    assert [(p.payment_method.id, p.payment_method.brand) for p in found] == [
        (visa.id, visa.brand),
        (mastercard.id, mastercard.brand),
    ]


async def test_an_argument_that_is_not_bound_is_refused() -> None:
    """An argument the query never binds raises ValueError instead of being silently ignored."""
    # given
    account = await make_account()
    query = PreparedQuery(Account, lambda pk, ignored: Account.filter(id=pk))
    # when / then
    with pytest.raises(ValueError, match="bound exactly once"):
        await query.fetch(account.id, 7)


async def test_a_constant_stays_constant_while_arguments_change() -> None:
    """status=OPEN filters every fetch, whichever accounts are bound."""
    # given
    first, second = await make_account("First"), await make_account("Second")
    open_first = await issue(first, 1000)
    open_second = await issue(second, 2000)
    for account in (first, second):
        paid = await issue(account, 500)
        await Statement.filter(id=paid.id).update(status=StatementStatus.PAID)
    query = PreparedQuery(
        Statement, lambda ids: Statement.filter(account_id__in=ids, status=StatementStatus.OPEN)
    )
    # when
    of_first = await query.fetch([first.id])
    of_second = await query.fetch([second.id])
    # then
    assert [s.id for s in of_first] == [open_first.id]
    assert [s.id for s in of_second] == [open_second.id]


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Account.filter(id=pk).prefetch_related("members"),
        lambda pk: Account.filter(id=pk).annotate(members_count=Count("members")),
        lambda pk: Account.filter(id=pk).only("id", "number"),
    ],
    ids=["prefetch_related", "annotate", "only"],
)
async def test_what_fetch_would_drop_is_refused(build: Any) -> None:
    """A query whose prefetches, annotations or partial columns fetch() would lose is refused."""
    # given
    account = await make_account()
    query = PreparedQuery(Account, build)
    # when / then
    with pytest.raises(ValueError, match="cannot be prepared"):
        await query.fetch(account.id)


def _fields_of(instance: Model) -> dict[str, Any]:
    """Every attribute tortoise set on a model, a select_related model's own fields included."""
    return {
        name: _fields_of(value) if isinstance(value, Model) else value
        for name, value in vars(instance).items()
    }


async def test_rows_become_the_same_models_tortoise_makes() -> None:
    """Every column kind (native, converted, enum, date, datetime, JSON, nullable) and every join the hot
    path uses (a payment's method, present and absent; an account's autopay, present and absent) gives
    models equal, field for field, to the plain queryset's."""
    # given
    with_autopay, without = await make_account("With autopay"), await make_account("Without")
    card = await add_card(with_autopay)
    await AutopayEnrollment.create(account_id=with_autopay.id, payment_method_id=card.id, days_before_due=3)
    member = await make_member(with_autopay, "ada", grants=(Permission.VIEW_BILLING, Permission.PAY_BILLS))
    await issue(with_autopay, 1000)
    await issue(with_autopay, 2500, description="Mobile - 2 lines")
    for index, method in enumerate((card, None)):
        await Payment.create(
            account_id=with_autopay.id,
            amount=1000,
            source=PaymentSource.MANUAL,
            idempotency_key=f"key-{index}",
            request_fingerprint="fingerprint",
            payment_method_id=method.id if method else None,
        )
    ids = [with_autopay.id, without.id]
    queries: list[tuple[PreparedQuery[Any], tuple[Any, ...], Any]] = [
        (
            PreparedQuery(Account, lambda wanted: Account.filter(id__in=wanted).select_related("autopay")),
            (ids,),
            Account.filter(id__in=ids).select_related("autopay"),
        ),
        (
            PreparedQuery(Payment, lambda pk: Payment.filter(account_id=pk).select_related("payment_method")),
            (with_autopay.id,),
            Payment.filter(account_id=with_autopay.id).select_related("payment_method"),
        ),
        (
            PreparedQuery(Statement, lambda pk: Statement.filter(account_id=pk)),
            (with_autopay.id,),
            Statement.filter(account_id=with_autopay.id),
        ),
        (
            PreparedQuery(LineItem, lambda pk: LineItem.filter(statement__account_id=pk)),
            (with_autopay.id,),
            LineItem.filter(statement__account_id=with_autopay.id),
        ),
        (
            PreparedQuery(Member, lambda pk: Member.filter(id=pk)),
            (member.id,),
            Member.filter(id=member.id),
        ),
        (
            PreparedQuery(PermissionGrant, lambda pk: PermissionGrant.filter(member_id=pk)),
            (member.id,),
            PermissionGrant.filter(member_id=member.id),
        ),
    ]
    for query, args, plain in queries:
        # when
        prepared = sorted(await query.fetch(*args), key=lambda row: row.pk)
        # then
        expected = sorted(await plain, key=lambda row: row.pk)
        assert prepared, query.model
        assert [_fields_of(row) for row in prepared] == [_fields_of(row) for row in expected]
    payments = await queries[1][0].fetch(with_autopay.id)
    assert {p.payment_method.id if p.payment_method else None for p in payments} == {card.id, None}
