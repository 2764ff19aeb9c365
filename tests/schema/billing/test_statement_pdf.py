"""Statement.pdfUrl and GET /statements/{id}.pdf: a signed link for a few minutes, opened only by a
caller who may view the account's billing; the PDF holds the account, the charges and the payments."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pypdf import PdfReader

from models.access import Permission, Role
from models.billing.charge import charge
from models.billing.models import PaymentSource
from models.billing.statement_links import LINK_SECONDS
from models.db.clock import utcnow
from models.security.tokens import csrf_token_for
from schema.ids import to_global_id
from tests.billing_support import add_card, billing_session, issue
from tests.conftest import TEST_SECRET
from tests.support import error_codes, gql, make_account, make_member, sign_in

PDF_URLS = "{ account { statements { edges { node { id pdfUrl } } } } }"
PAY_BILL = """
mutation($input: PayBillInput!) {
  payBill(input: $input) { payment { statement { id pdfUrl } } errors { code } }
}
"""


async def pdf_url(client: httpx.AsyncClient, token: str) -> str:
    body = await gql(client, PDF_URLS, token=token)
    assert "errors" not in body, body
    (edge,) = body["data"]["account"]["statements"]["edges"]
    url: str = edge["node"]["pdfUrl"]
    return url


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


async def test_the_pdf_holds_the_account_charges_payments_and_balance(client: httpx.AsyncClient) -> None:
    # given: a statement of $65.00 with $20.00 paid on it
    account, token = await billing_session(client)
    card = await add_card(account)
    statement = await issue(account, 6500, "Internet - Gig plan")
    await charge(
        account_id=account.id,
        amount=2000,
        payment_method=card,
        idempotency_key="part",
        source=PaymentSource.MANUAL,
        statement_id=statement.id,
    )
    url = await pdf_url(client, token)
    # when
    response = await client.get(url, headers=bearer(token))
    # then
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="statement-')
    assert response.headers["cache-control"] == "no-store"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert account.number in text
    assert account.name in text
    assert "Internet - Gig plan" in text
    assert "Total $65.00" in text
    assert "Visa ending 4242 $20.00" in text
    assert "$45.00" in text  # the balance
    assert urlsplit(url).path == f"/statements/{to_global_id('Statement', statement.id)}.pdf"
    assert url.startswith("http://portal.test/statements/")


async def test_the_link_expires(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    account, token = await billing_session(client)
    await issue(account, 6500)
    url = await pdf_url(client, token)
    later = utcnow() + timedelta(seconds=LINK_SECONDS + 1)
    monkeypatch.setattr("gateway.statement_pdf.utcnow", lambda: later)
    # when
    response = await client.get(url, headers=bearer(token))
    # then
    assert response.status_code == 403
    assert codes(response) == ["INVALID_LINK"]


@pytest.mark.parametrize("part", ["signature", "expires", "statement"])
async def test_a_tampered_link_is_refused(client: httpx.AsyncClient, part: str) -> None:
    # given: a genuine link with one part changed
    account, token = await billing_session(client)
    await issue(account, 6500)
    other = await issue(account, 100)
    url = await pdf_url_of_first(client, token)
    path, query = urlsplit(url).path, parse_qs(urlsplit(url).query)
    expires, signature = query["expires"][0], query["signature"][0]
    if part == "signature":
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    elif part == "expires":
        expires = str(int(expires) + 3600)
    else:
        path = f"/statements/{to_global_id('Statement', other.id)}.pdf"
    # when
    params = {"expires": expires, "signature": signature}
    response = await client.get(path, params=params, headers=bearer(token))
    # then
    assert response.status_code == 403
    assert codes(response) == ["INVALID_LINK"]


async def pdf_url_of_first(client: httpx.AsyncClient, token: str) -> str:
    body = await gql(client, PDF_URLS, token=token)
    url: str = body["data"]["account"]["statements"]["edges"][-1]["node"]["pdfUrl"]
    return url


async def test_another_accounts_member_is_forbidden(client: httpx.AsyncClient) -> None:
    # given: a member of another account, who may view their own account's billing
    account, token = await billing_session(client)
    await issue(account, 6500)
    url = await pdf_url(client, token)
    await make_member(await make_account("The Joneses"), "mallory", role=Role.PRIMARY)
    stranger = await sign_in(client, "mallory")
    # when
    response = await client.get(url, headers=bearer(stranger))
    # then
    assert response.status_code == 403
    assert codes(response) == ["FORBIDDEN"]


async def test_the_link_alone_is_not_enough(client: httpx.AsyncClient) -> None:
    # given
    account, token = await billing_session(client)
    await issue(account, 6500)
    url = await pdf_url(client, token)
    # when: no session at all, and a session cookie without its CSRF header
    nobody = await client.get(url)
    client.cookies.set("session", token)
    cookie_only = await client.get(url)
    # then
    assert (nobody.status_code, codes(nobody)) == (401, ["UNAUTHENTICATED"])
    assert (cookie_only.status_code, codes(cookie_only)) == (401, ["UNAUTHENTICATED"])


async def test_a_member_without_view_billing_cannot_read_pdf_url(client: httpx.AsyncClient) -> None:
    # given: a standard member who may pay bills but not view billing reaches a statement through payBill
    account, _ = await billing_session(client)
    await make_member(account, "bob", role=Role.STANDARD, grants=(Permission.PAY_BILLS,))
    token = await sign_in(client, "bob")
    card = await add_card(account)
    statement = await issue(account, 6500)
    variables = {"input": {"paymentMethodId": to_global_id("PaymentMethod", card.id), "idempotencyKey": "k"}}
    # when
    body = await gql(client, PAY_BILL, variables, token=token)
    # then
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["payBill", "payment", "statement", "pdfUrl"]
    assert body["data"]["payBill"]["payment"]["statement"] == {
        "id": to_global_id("Statement", statement.id),
        "pdfUrl": None,
    }


async def test_the_portals_cookie_and_csrf_header_open_it(client: httpx.AsyncClient) -> None:
    # given: the portal's credentials, the session cookie and its double-submit CSRF token
    account, token = await billing_session(client)
    await issue(account, 6500)
    url = await pdf_url(client, token)
    csrf = csrf_token_for(TEST_SECRET, token)
    client.cookies.set("session", token)
    client.cookies.set("csrf", csrf)
    # when
    response = await client.get(url, headers={"x-csrf-token": csrf})
    # then
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-")
