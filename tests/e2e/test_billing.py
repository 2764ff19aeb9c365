"""Billing in Chromium: statements, their line items and the balance; paying the bill (a declined card, then a
good one, and a double click that pays once); adding a payment method behind "Confirm it's you"; removing one,
which asks first; autopay with its ceiling, and turning it off, which asks first; and the overview's billing
summary. Each journey has its own fresh account, made by the operator's CLI with a service and a statement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Locator, Page, Request, expect

from tests.blackbox import Server, body_of
from tests.e2e.support import (
    ERROR_CODE,
    Member,
    activated_account,
    code_in,
    expect_refused,
    serious_violations,
)
from tests.e2e.test_members import active_member, api_session
from tests.e2e.test_sign_in import sign_in

pytestmark = pytest.mark.e2e

PLAN, PRICE = "Gig", 6500
STEP_UP_SUBJECT = "Your code to confirm it is you"
NOT_AN_AMOUNT = "Enter an amount in dollars and cents, like 79.99."
WRONG_CODE = "That code is not right, or it has expired."
DECLINED = "Nothing was charged. Your card was declined. Try another card or contact your bank."

ACTIVATE = """
mutation($input: ActivateMemberInput!) { activateMember(input: $input) { token errors { code } } }
"""
REQUEST_STEP_UP = "mutation { requestStepUpCode { challenge { id } errors { code } } }"
VERIFY_STEP_UP = "mutation($code: String!) { verifyStepUp(code: $code) { session { id } errors { code } } }"
ADD_METHOD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { paymentMethod { id } errors { code } }
}
"""
BILLING = """
query {
  account {
    balance { amount }
    nextPayment { amount { amount } autopay }
    statements { edges { node { status amountDue { amount } amountPaid { amount } } } }
    payments { totalCount edges { node { status source amount { amount } } } }
    paymentMethods { kind brand last4 isDefault }
    autopay { enabled daysBeforeDue maxAmount { amount } paymentMethod { last4 } }
  }
}
"""
PAY_BILL = """
mutation($input: PayBillInput!) { payBill(input: $input) { payment { status } errors { code } } }
"""
METHOD_IDS = "{ account { paymentMethods { id } } }"
ENROLL_AUTOPAY = """
mutation($input: EnrollAutopayInput!) { enrollAutopay(input: $input) { autopay { enabled } errors { code } } }
"""


@dataclass(frozen=True)
class Billed:
    """A member whose account has an INTERNET service and a statement, and their session on their laptop."""

    member: Member
    token: str
    account_number: str


async def billed_member(portal: Server, first_name: str, *extra_charges: tuple[int, str]) -> Billed:
    """`create-account --plan --price` and `issue-statement` as the operator runs them (a one-off statement
    per extra charge), the account activated from its welcome e-mail on the member's laptop."""
    member, created = await activated_account(portal, first_name, "--plan", PLAN, "--price", str(PRICE))
    number = created["accountNumber"]
    one_offs = [("--amount", str(cents), "--description", text) for cents, text in extra_charges]
    for arguments in [(), *one_offs]:
        issued = portal.cli("issue-statement", "--account", number, *arguments)
        assert issued.returncode == 0, issued.stderr
    return Billed(member=member, token=member.token, account_number=number)


async def add_methods(
    portal: Server, billed: Billed, *processor_tokens: str, autopay_with: str | None = None
) -> None:
    """The member adds payment methods from their laptop: confirms it's them with the e-mailed code first;
    with `autopay_with` (one of the tokens), they then turn on autopay with that method."""
    async with httpx.AsyncClient() as client:
        requested = await portal.graphql(client, REQUEST_STEP_UP, token=billed.token)
        assert requested["data"]["requestStepUpCode"]["errors"] == [], requested
        (message,) = await portal.mail_to(billed.member.email, STEP_UP_SUBJECT)
        code = code_in(body_of(message))
        verified = await portal.graphql(client, VERIFY_STEP_UP, {"code": code}, token=billed.token)
        assert verified["data"]["verifyStepUp"]["errors"] == [], verified
        for processor_token in processor_tokens:
            added = await portal.graphql(
                client, ADD_METHOD, {"input": {"processorToken": processor_token}}, token=billed.token
            )
            assert added["data"]["addPaymentMethod"]["errors"] == [], added
            if processor_token == autopay_with:
                method_id = added["data"]["addPaymentMethod"]["paymentMethod"]["id"]
                enrolled = await portal.graphql(
                    client, ENROLL_AUTOPAY, {"input": {"paymentMethodId": method_id}}, token=billed.token
                )
                assert enrolled["data"]["enrollAutopay"]["errors"] == [], enrolled


async def billing_of(portal: Server, billed: Billed) -> dict[str, Any]:
    """The account's billing as the gateway has it, read by the member."""
    async with httpx.AsyncClient() as client:
        body = await portal.graphql(client, BILLING, token=billed.token)
    assert "errors" not in body, body
    account: dict[str, Any] = body["data"]["account"]
    return account


async def signed_in(page: Page, member: Member) -> None:
    await page.goto("/sign-in")
    await sign_in(page, member.username, member.password)
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


async def open_billing(page: Page) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing", exact=True).click()
    await expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()


async def open_overview(page: Page) -> None:
    navigation = page.get_by_role("navigation", name="Main")
    await navigation.get_by_role("link", name="Account overview", exact=True).click()
    await expect(page.get_by_role("heading", name="Account overview", level=1)).to_be_visible()


def overview_fact(page: Page, term: str) -> Locator:
    """One line of the overview's billing summary (a term and its value)."""
    summary = page.get_by_role("region", name="Billing", exact=True)
    return summary.locator("dl > div").filter(has=page.get_by_text(term, exact=True))


async def expect_in_words(notice: Locator, words: str | re.Pattern[str]) -> None:
    await expect(notice).to_contain_text(words)
    assert not ERROR_CODE.search(await notice.inner_text())


async def test_a_declined_card_is_refused_in_words_and_a_good_card_pays_the_bill(
    portal: Server, page: Page
) -> None:
    # given: a member with two statements (the service's, and a one-off charge), $90.00 in all, and two saved
    # cards: one the processor always declines (the default, as it came first) and a good one
    billed = await billed_member(portal, "Ida", (2500, "Installation visit"))
    await add_methods(portal, billed, "tok_chargeDeclined", "tok_visa")
    # when: they sign in
    await signed_in(page, billed.member)
    # then: the overview sums up what is owed, when, and the latest statement
    await expect(overview_fact(page, "Balance")).to_contain_text("$90.00")
    await expect(overview_fact(page, "Next payment")).to_contain_text(re.compile(r"\$65\.00 due .*\d"))
    await expect(overview_fact(page, "Next payment")).to_contain_text("Autopay is off")
    await expect(overview_fact(page, "Latest statement")).to_contain_text(
        re.compile(r"\$\d+\.00, due .*\(Open\)")
    )

    # when: they open billing
    await open_billing(page)
    # then: the balance, and each statement with its line items
    balance = page.get_by_role("region", name="Balance")
    await expect(balance).to_contain_text("$90.00")
    statements = page.get_by_role("region", name="Statements")
    await expect(statements.get_by_role("listitem")).to_have_count(2)
    for line_item, charged in (("Internet - Gig", "$65.00"), ("Installation visit", "$25.00")):
        statement = statements.get_by_role("listitem").filter(has_text=charged)
        await statement.locator("summary").click()
        await expect(statement.get_by_role("row", name=line_item)).to_contain_text(charged)
    await expect(page.get_by_role("region", name="Payment history")).to_contain_text("No payments yet")
    assert await serious_violations(page) == []

    # when: they open the form and ask to pay what is not an amount, then more than they owe
    await page.get_by_role("button", name="Pay bill").click()
    amount = page.get_by_label("Amount", exact=True)
    await expect(amount).to_have_value("90.00")
    await amount.fill("12.345")
    await page.get_by_role("button", name="Pay", exact=True).click()
    # then: refused at the field, before anything is sent; then refused by the gateway, for its own reason
    await expect_refused(amount, NOT_AN_AMOUNT)
    await amount.fill("500.00")
    await page.get_by_role("button", name="Pay", exact=True).click()
    await expect_refused(amount, "The amount is more than the balance.")

    # when: the whole balance with the card that is declined
    await amount.fill("90.00")
    method = page.get_by_label("Payment method", exact=True)
    await method.select_option(label="Visa ending 0002 (default)")
    await page.get_by_role("button", name="Pay", exact=True).click()
    # then: refused in words at the payment method, the amount fine now; nothing is paid: the history
    # (reloaded with the balance after the attempt) has the failure, and the balance is the same
    await expect_refused(method, DECLINED)
    await expect(amount).not_to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("status")).to_have_count(0)
    await expect(page.get_by_role("region", name="Payment history")).to_contain_text(
        "Failed: Your card was declined. Try another card or contact your bank."
    )
    await expect(balance).to_contain_text("$90.00")
    declined = await billing_of(portal, billed)
    assert declined["balance"]["amount"] == 9000
    assert [edge["node"]["status"] for edge in declined["payments"]["edges"]] == ["FAILED"]
    assert {s["node"]["amountPaid"]["amount"] for s in declined["statements"]["edges"]} == {0}

    # when: they pay with the good card
    await method.select_option(label="Visa ending 4242")
    await page.get_by_role("button", name="Pay", exact=True).click()
    # then: confirmed, the balance is nothing, and the payment is in the history
    await expect_in_words(page.get_by_role("status"), "your payment of $90.00 went through")
    await expect(page.get_by_role("alert")).to_have_count(0)
    await expect(balance).to_contain_text("$0.00")
    await expect(balance).to_contain_text("Nothing is due.")
    paid_row = page.get_by_role("region", name="Payment history").get_by_role("row").filter(has_text="4242")
    await expect(paid_row).to_contain_text("$90.00")
    await expect(paid_row).to_contain_text("Paid")
    await expect(statements.get_by_text("Paid", exact=True)).to_have_count(2)
    paid = await billing_of(portal, billed)
    assert paid["balance"]["amount"] == 0
    succeeded = [p["node"] for p in paid["payments"]["edges"] if p["node"]["status"] == "SUCCEEDED"]
    assert [(p["amount"]["amount"], p["source"]) for p in succeeded] == [(9000, "MANUAL")]
    assert {s["node"]["status"] for s in paid["statements"]["edges"]} == {"PAID"}
    assert await serious_violations(page) == []

    # when: back on the overview
    await open_overview(page)
    # then: it says so too
    await expect(overview_fact(page, "Balance")).to_contain_text("$0.00")
    await expect(overview_fact(page, "Next payment")).to_contain_text("Nothing is due.")
    await expect(overview_fact(page, "Latest statement")).to_contain_text("(Paid)")


async def test_a_double_clicked_pay_sends_one_idempotency_key_and_pays_once(
    portal: Server, page: Page
) -> None:
    # given: a member who owes $65.00, with a good card, on the pay form
    billed = await billed_member(portal, "Otto")
    await add_methods(portal, billed, "tok_visa")
    await signed_in(page, billed.member)
    await open_billing(page)
    await page.get_by_role("button", name="Pay bill").click()
    await expect(page.get_by_label("Amount", exact=True)).to_have_value("65.00")
    keys: list[str] = []

    def record_key(request: Request) -> None:
        sent = request.post_data_json if request.method == "POST" else None
        if sent and "payBill" in sent["query"]:
            keys.append(sent["variables"]["input"]["idempotencyKey"])

    page.on("request", record_key)
    # when: Pay is clicked twice, the second time before the page could react to the first
    await page.get_by_role("button", name="Pay", exact=True).evaluate(
        "(button) => { button.click(); button.click(); }"
    )
    # then: every request carried the same key; one payment of $65.00 pays the statement once
    await expect(page.get_by_role("status")).to_contain_text("your payment of $65.00 went through")
    await expect(page.get_by_role("region", name="Balance")).to_contain_text("$0.00")
    assert len(keys) == 2, keys
    assert len(set(keys)) == 1, keys
    billing = await billing_of(portal, billed)
    assert billing["payments"]["totalCount"] == 1
    ((payment,),) = [[edge["node"] for edge in billing["payments"]["edges"]]]
    assert (payment["status"], payment["amount"]["amount"]) == ("SUCCEEDED", 6500)
    ((statement,),) = [[edge["node"] for edge in billing["statements"]["edges"]]]
    assert (statement["status"], statement["amountPaid"]["amount"]) == ("PAID", 6500)
    assert billing["balance"]["amount"] == 0
    history = page.get_by_role("region", name="Payment history")
    await expect(history.get_by_role("row").filter(has_text="$65.00")).to_have_count(1)

    # when: they try to pay again, now that nothing is owed
    await page.get_by_role("button", name="Pay bill").click()
    amount = page.get_by_label("Amount", exact=True)
    await expect(amount).to_have_value("")
    await page.get_by_role("button", name="Pay", exact=True).click()
    # then: refused at the amount; with an amount, told there is nothing to pay; still one payment
    await expect_refused(amount, NOT_AN_AMOUNT)
    await amount.fill("10.00")
    await page.get_by_role("button", name="Pay", exact=True).click()
    await expect_in_words(page.get_by_role("alert"), "nothing to pay")
    assert (await billing_of(portal, billed))["payments"]["totalCount"] == 1


async def test_adding_a_payment_method_asks_to_confirm_it_s_you_then_adds_it(
    portal: Server, page: Page
) -> None:
    # given: a member with a bill and no saved payment method, on billing, who would pay it
    billed = await billed_member(portal, "Mira")
    await signed_in(page, billed.member)
    await open_billing(page)
    methods = page.get_by_role("region", name="Payment methods")
    await expect(methods).to_contain_text("No saved payment methods.")
    await page.get_by_role("button", name="Pay bill").click()
    await expect(page.get_by_role("alert")).to_contain_text("Add a payment method below before you pay.")
    # when: they open the form and save without choosing a method
    await methods.get_by_role("button", name="Add payment method").click()
    choice = methods.get_by_role("group", name="Payment method to add")
    await methods.get_by_role("button", name="Save").click()
    # then: refused at the choice, and nothing asked of them yet
    await expect(choice).to_have_accessible_description(re.compile("Choose the payment method", re.I))
    await expect(choice.get_by_role("radio").first).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # when: they choose the test Mastercard and save
    await choice.get_by_role("radio", name="Mastercard ending 4444").check()
    await methods.get_by_role("button", name="Save").click()
    # then: "Confirm it's you"; a code goes to their e-mail
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Send code").click()
    await expect(dialog.get_by_role("status")).to_contain_text("We sent a code")
    assert await serious_violations(page) == []
    (message,) = await portal.mail_to(billed.member.email, STEP_UP_SUBJECT)
    sent = code_in(body_of(message))

    # when: a wrong code
    code = dialog.get_by_label("Code")
    await code.fill("000000" if sent != "000000" else "111111")
    await dialog.get_by_role("button", name="Confirm").click()
    # then: refused at the field; the dialog stays; nothing added
    await expect_refused(code, WRONG_CODE)
    assert (await billing_of(portal, billed))["paymentMethods"] == []

    # when: the code from the e-mail
    await code.fill(sent)
    await dialog.get_by_role("button", name="Confirm").click()
    # then: the dialog closes and the method is added without saving again, as their default
    await expect(dialog).to_have_count(0)
    await expect_in_words(methods.get_by_role("status"), "Mastercard ending 4444 was added.")
    added = methods.get_by_role("listitem").filter(has_text="Mastercard ending 4444")
    await expect(added).to_contain_text("expires 12/2034")
    await expect(added).to_contain_text("Default")
    assert (await billing_of(portal, billed))["paymentMethods"] == [
        {"kind": "CARD", "brand": "mastercard", "last4": "4444", "isDefault": True}
    ]
    assert await serious_violations(page) == []

    # when: they pay with it, as the pay form that waited for a method now offers
    method = page.get_by_label("Payment method", exact=True)
    await expect(method.locator("option:checked")).to_have_text("Mastercard ending 4444 (default)")
    await page.get_by_role("button", name="Pay", exact=True).click()
    # then: paid with the method it showed
    await expect(page.get_by_role("region", name="Balance")).to_contain_text(
        "your payment of $65.00 went through"
    )
    assert (await billing_of(portal, billed))["balance"]["amount"] == 0


async def test_autopay_takes_the_next_payment_up_to_its_maximum_and_turns_off(
    portal: Server, page: Page
) -> None:
    # given: a member who owes $65.00 and has a good card, on billing, autopay off
    billed = await billed_member(portal, "Noor")
    await add_methods(portal, billed, "tok_visa")
    await signed_in(page, billed.member)
    await open_billing(page)
    autopay = page.get_by_role("region", name="Autopay")
    balance = page.get_by_role("region", name="Balance")
    await expect(autopay).to_contain_text("Autopay is off.")
    await expect(balance).to_contain_text("Autopay is off: please pay it yourself.")

    # when: they set it up with days out of range and a maximum that is no amount, then a zero maximum
    await autopay.get_by_role("button", name="Set up autopay").click()
    await expect(autopay.get_by_label("Payment method", exact=True)).to_have_value(re.compile(".+"))
    days, maximum = autopay.get_by_label("Days before due date"), autopay.get_by_label("Maximum amount")
    turn_on = autopay.get_by_role("button", name="Turn on autopay")
    await days.fill("29")
    await maximum.fill("lots")
    await turn_on.click()
    # then: each refused at its field, nothing sent
    no_amount = "Enter an amount in dollars and cents, like 150.00, or leave it empty."
    await expect_refused(days, "Enter a number of days from 0 to 28.")
    await expect_refused(maximum, no_amount)
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await days.fill("3")
    await maximum.fill("0")
    await turn_on.click()
    # then: the days are fine now; the zero maximum is refused for the same reason as "lots" was, so what
    # shows this is the new answer is the days' mark going, which the same check of the form clears
    await expect(days).not_to_have_attribute("aria-invalid", "true")
    await expect_refused(maximum, no_amount)
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # when: 3 days before the due date, up to $100.00, confirmed with the e-mailed code
    await maximum.fill("100.00")
    await turn_on.click()
    dialog = page.get_by_role("dialog", name="Confirm it's you")
    await dialog.get_by_role("button", name="Send code").click()
    messages = await portal.mail_to(billed.member.email, STEP_UP_SUBJECT, count=2)
    await dialog.get_by_label("Code").fill(code_in(body_of(messages[-1])))
    await dialog.get_by_role("button", name="Confirm").click()
    # then: on, and the next payment is autopay's, here and on the overview
    await expect_in_words(autopay.get_by_role("status"), "Autopay is on.")
    await expect(autopay).to_contain_text(
        "it pays each statement 3 days before its due date with Visa ending 4242, up to $100.00."
    )
    await expect(balance).to_contain_text("Autopay will pay it 3 days before the due date.")
    enrolled = await billing_of(portal, billed)
    assert enrolled["autopay"] == {
        "enabled": True,
        "daysBeforeDue": 3,
        "maxAmount": {"amount": 10000},
        "paymentMethod": {"last4": "4242"},
    }
    assert enrolled["nextPayment"] == {"amount": {"amount": 6500}, "autopay": True}
    assert await serious_violations(page) == []
    await open_overview(page)
    await expect(overview_fact(page, "Next payment")).to_contain_text("Autopay will pay it")
    await expect(overview_fact(page, "Autopay")).to_contain_text("On")

    # when: they start turning it off, and change their mind with Escape
    await open_billing(page)
    turn_off = autopay.get_by_role("button", name="Turn off autopay")
    await turn_off.click()
    # then: asked first, in words that say which bill it will not pay, with the keyboard on "Keep"
    due = re.search(r"\$65\.00 due (.+?)\.", await balance.inner_text())
    assert due is not None
    asking = autopay.get_by_role("group", name="Turn off autopay?")
    await expect(asking).to_contain_text(
        f"Your next bill of $65.00 due {due[1]} will not be paid automatically:"
        " you will need to pay it yourself."
    )
    await expect(asking.get_by_role("button", name="Keep")).to_be_focused()
    assert await serious_violations(page) == []
    await page.keyboard.press("Escape")
    # then: nothing changed, also after a reload, and the keyboard is back on the button that asked
    await expect(asking).to_have_count(0)
    await expect(turn_off).to_be_focused()
    await page.reload()
    await expect(autopay).to_contain_text("it pays each statement 3 days before its due date")
    await expect(balance).to_contain_text("Autopay will pay it 3 days before the due date.")
    assert (await billing_of(portal, billed))["autopay"]["enabled"] is True

    # when: they lower the maximum below the bill (still within their confirmation: no dialog)
    await autopay.get_by_role("button", name="Change autopay").click()
    await expect(maximum).to_have_value("100.00")
    await maximum.fill("50.00")
    await turn_on.click()
    # then: autopay will not take this bill, and both pages say why
    await expect(autopay.get_by_role("status")).to_contain_text("Autopay is on.")
    above = "Autopay will not pay it: it is above your autopay maximum of $50.00."
    await expect(balance).to_contain_text(above)
    assert (await billing_of(portal, billed))["nextPayment"]["autopay"] is False
    await open_overview(page)
    await expect(overview_fact(page, "Next payment")).to_contain_text(above)

    # when: they turn it off, and say yes when asked (autopay would not pay this bill anyway)
    await open_billing(page)
    await turn_off.click()
    await expect(asking).to_contain_text(
        "Your bills will no longer be paid automatically: you will need to pay each one yourself."
    )
    await asking.get_by_role("button", name="Yes, turn off").click()
    # then: off, said in words, and they are to pay themselves, also after a reload
    await expect_in_words(autopay.get_by_role("status"), "Autopay is off.")
    await expect(asking).to_have_count(0)
    await expect(autopay.get_by_role("button", name="Set up autopay")).to_be_visible()
    await expect(balance).to_contain_text("Autopay is off: please pay it yourself.")
    assert (await billing_of(portal, billed))["autopay"]["enabled"] is False
    await page.reload()
    await expect(autopay).to_contain_text("Autopay is off.")
    await expect(turn_off).to_have_count(0)


async def test_removing_a_payment_method_asks_first_and_says_what_changes(portal: Server, page: Page) -> None:
    # given: a member with a Visa (their default), a Mastercard that autopay charges and a bank account
    billed = await billed_member(portal, "Olek")
    cards = ("tok_visa", "tok_mastercard", "btok_checking")
    await add_methods(portal, billed, *cards, autopay_with="tok_mastercard")
    await signed_in(page, billed.member)
    await open_billing(page)
    methods = page.get_by_role("region", name="Payment methods")
    visa = methods.get_by_role("listitem").filter(has_text="Visa ending 4242")
    remove_visa = methods.get_by_role("button", name="Remove Visa ending 4242")
    await expect(visa).to_contain_text("Default")

    # when: they start removing the Visa, and change their mind with Escape
    await remove_visa.click()
    # then: asked first, saying which method becomes the default; the keyboard is on "Keep"
    asking = methods.get_by_role("group", name="Remove Visa ending 4242?")
    await expect(asking).to_have_text(
        re.compile(r"Sandbox Bank account ending 6789 becomes your default payment method\.")
    )
    await expect(asking.get_by_role("button", name="Keep")).to_be_focused()
    assert await serious_violations(page) == []
    await page.keyboard.press("Escape")
    # then: nothing removed, the keyboard back on the Remove button, and nothing asked any more
    await expect(asking).to_have_count(0)
    await expect(remove_visa).to_be_focused()

    # when: they ask again and choose "Keep" with the mouse
    await remove_visa.click()
    await asking.get_by_role("button", name="Keep").click()
    # then: the Visa is still theirs and still the default, also after a reload and on the gateway
    await expect(asking).to_have_count(0)
    await page.reload()
    await expect(visa).to_contain_text("Default")
    kept = await billing_of(portal, billed)
    assert [(method["last4"], method["isDefault"]) for method in kept["paymentMethods"]] == [
        ("4242", True),
        ("4444", False),
        ("6789", False),
    ]

    # when: they remove it for real
    await remove_visa.click()
    await asking.get_by_role("button", name="Yes, remove").click()
    # then: removed, said in words, and the bank account is the default, also after a reload
    await expect_in_words(methods.get_by_role("status"), "Visa ending 4242 was removed.")
    await expect(visa).to_have_count(0)
    await page.reload()
    await expect(methods.get_by_role("listitem").filter(has_text="Mastercard ending 4444")).to_be_visible()
    await expect(visa).to_have_count(0)
    await expect(methods.get_by_role("listitem").filter(has_text="ending 6789")).to_contain_text("Default")
    removed = await billing_of(portal, billed)
    assert [(method["last4"], method["isDefault"]) for method in removed["paymentMethods"]] == [
        ("4444", False),
        ("6789", True),
    ]

    # when: they try to remove the Mastercard that autopay charges
    await methods.get_by_role("button", name="Remove Mastercard ending 4444").click()
    # then: told it cannot go while autopay uses it and what to do instead; nothing to say yes to
    blocked = methods.get_by_role("group", name=re.compile("Mastercard ending 4444 can't be removed"))
    await expect(blocked).to_contain_text(
        "can't be removed while autopay pays your bills with it."
        " To remove it, change autopay's payment method or turn off autopay first."
    )
    await expect(blocked.get_by_role("button", name="Yes, remove")).to_have_count(0)
    await blocked.get_by_role("button", name="Keep").click()
    # then: the Mastercard and autopay are unchanged, also after a reload and on the gateway
    await page.reload()
    await expect(methods.get_by_role("listitem").filter(has_text="Mastercard ending 4444")).to_contain_text(
        "Autopay"
    )
    unchanged = await billing_of(portal, billed)
    assert [method["last4"] for method in unchanged["paymentMethods"]] == ["4444", "6789"]
    assert unchanged["autopay"]["enabled"] is True
    assert unchanged["autopay"]["paymentMethod"] == {"last4": "4444"}


async def pay_by_api(portal: Server, token: str, cents: int) -> None:
    """A payment of `cents` with the account's first saved method, made from the payer's laptop."""
    async with httpx.AsyncClient() as client:
        methods = await portal.graphql(client, METHOD_IDS, token=token)
        method_id = methods["data"]["account"]["paymentMethods"][0]["id"]
        paid = await portal.graphql(
            client,
            PAY_BILL,
            {
                "input": {
                    "paymentMethodId": method_id,
                    "amount": cents,
                    "idempotencyKey": f"{token[:8]}-{cents}",
                }
            },
            token=token,
        )
    assert paid["data"]["payBill"] == {"payment": {"status": "SUCCEEDED"}, "errors": []}, paid


async def test_the_payment_history_says_which_member_paid(portal: Server, page: Page) -> None:
    # given: the primary and a manager of the household each paid part of the bill
    billed = await billed_member(portal, "Pia")
    await add_methods(portal, billed, "tok_visa")
    manager = await active_member(portal, billed.member, "Quinn", "MANAGER")
    async with httpx.AsyncClient() as client:
        manager_token = await api_session(portal, client, manager)
    await pay_by_api(portal, manager_token, 1000)
    await pay_by_api(portal, billed.token, 2000)
    # when: the primary opens billing
    await signed_in(page, billed.member)
    await open_billing(page)
    # then: their own payment says "You paid", the manager's names the manager
    history = page.get_by_role("region", name="Payment history")
    await expect(history.get_by_role("columnheader", name="Who paid")).to_be_visible()
    await expect(history.get_by_role("row").filter(has_text="$20.00")).to_contain_text("You paid")
    managers_row = history.get_by_role("row").filter(has_text="$10.00")
    await expect(managers_row).to_contain_text(manager.name)
    await expect(managers_row).not_to_contain_text("You paid")
    assert await serious_violations(page) == []
