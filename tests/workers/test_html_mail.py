"""Every e-mail has an HTML part beside its plain text (multipart/alternative, plain first): the same
words, the portal link as a button with the same href, member-supplied names escaped; the plain part is
the outbox body exactly, as the contract's links and codes need."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest

from gateway.settings import Settings
from models.billing import messages as billing_messages
from models.members.models import Channel
from models.notify import messages
from models.notify.outbox import OutboxMessage, queue_message
from tests.workers.support import body_of, smtp_server
from workers.mail import build_email
from workers.runner import run_burst

PORTAL = "http://portal.test"
NAME = "Bo <script>alert('x')</script> & \"Co\""
TOKEN = "AbC_12-xyz"
PORTAL_LINK = re.compile(r"^http://portal\.test/\S+$", re.MULTILINE)

TEXTS = {
    "welcome": messages.activation(PORTAL, NAME, NAME, TOKEN, invited=False),
    "invitation": messages.activation(PORTAL, NAME, NAME, TOKEN, invited=True),
    "code": messages.one_time_code(NAME, "sign in", "012345", 10),
    "notice": messages.notice(NAME, "Your password was changed", "Your password was changed just now."),
    "lockout": messages.lockout(PORTAL, NAME, TOKEN, "14:05 (America/Chicago)"),
    "new sign-in": messages.new_sign_in(PORTAL, NAME, f"Firefox on {NAME}", "203.0.113.9", "today", TOKEN),
    "password reset": messages.password_reset(PORTAL, NAME, TOKEN),
    "statement ready": billing_messages.statement_ready(13998, date(2030, 3, 10)),
    "payment receipt": billing_messages.payment_receipt(13998, "visa ending 4242", "sb_1"),
    "payment failed": billing_messages.payment_failed(13998, "visa ending 0002", "card_declined"),
    "autopay on": billing_messages.autopay_changed(True, "visa ending 4242"),
}
BUTTONS = {
    "welcome": "Activate your account",
    "invitation": "Activate your account",
    "lockout": "Unlock signing in",
    "new sign-in": "Secure my account",
    "password reset": "Choose a new password",
}


class Html(HTMLParser):
    """What a mail client would make of the HTML: its tags, links and text."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.texts: list[str] = []
        self._href: str | None = None
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes = dict(attrs)
        if tag == "a":
            self._href = self.attributes["href"]

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._href is not None:
            self.links.append((self._href, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.texts).split())


def built(settings: Settings, text: messages.Text) -> EmailMessage:
    row = OutboxMessage(
        id=7, channel=Channel.EMAIL, recipient="bo@example.com", subject=text.subject, body=text.body
    )
    return build_email(settings.with_overrides(public_url=PORTAL), row)


@pytest.mark.parametrize("kind", list(TEXTS))
def test_each_message_has_the_same_words_as_html_beside_its_unchanged_plain_text(
    settings: Settings, kind: str
) -> None:
    # given
    text = TEXTS[kind]
    # when
    email = built(settings, text)
    # then plain first, then HTML
    assert email.get_content_type() == "multipart/alternative"
    plain, html = email.iter_parts()  # type: ignore[misc]
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content() == text.body
    document = html.get_content()
    parsed = Html(document)
    # the same words (each line of the text, in the HTML's text), under the subject
    for line in text.body.splitlines():
        assert " ".join(line.split()) in parsed.words
    assert parsed.words.startswith(" ".join(text.subject.split()))
    # the link as a button with the same href, and as itself
    links = PORTAL_LINK.findall(text.body)
    assert [href for href, _ in parsed.links] == [link for link in links for _ in range(2)]
    if kind in BUTTONS:
        assert links
        assert parsed.links[0] == (links[0], BUTTONS[kind])
    # names escaped: no markup from the text, no images, scripts or anything fetched
    assert "<script" not in document.lower()
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "body", "div", "h1", "p", "br", "a"}
    if NAME in text.body:
        assert "Bo &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;Co&quot;" in document


def test_a_link_elsewhere_than_the_portal_stays_text(settings: Settings) -> None:
    # given a display name that is a link, alone on its line as the portal's links are
    text = messages.Text(subject="Hi", body="Hello,\n\nhttps://evil.example/activate?token=x\n")
    # when
    parsed = Html(built(settings, text).get_body(preferencelist=("html",)).get_content())  # type: ignore[union-attr]
    # then
    assert parsed.links == []
    assert "https://evil.example/activate?token=x" in parsed.words


def test_a_portal_link_inside_someones_text_stays_text(settings: Settings) -> None:
    # given: a new-sign-in alert whose browser (the intruder's User-Agent) names a portal link
    planted = f"{settings.public_url}/reset-password?token=theirs"
    text = messages.Text(
        subject="New sign-in", body=f"Hello,\n\nA sign-in from Firefox {planted} on Linux.\n"
    )
    # when
    parsed = Html(built(settings, text).get_body(preferencelist=("html",)).get_content())  # type: ignore[union-attr]
    # then: no link and no button, the words kept
    assert parsed.links == []
    assert planted in parsed.words


async def test_the_worker_sends_both_parts_to_the_smtp_server(worker_settings: Settings) -> None:
    # given a lockout e-mail in the outbox
    text = messages.lockout(PORTAL, NAME, TOKEN, "14:05 (America/Chicago)")
    await queue_message(Channel.EMAIL, "bo@example.com", text.body, subject=text.subject, kind="LOCKOUT")
    async with smtp_server() as server:
        settings = worker_settings.with_overrides(smtp_url=server.url, public_url=PORTAL)
        # when
        await run_burst(settings, database_open=True)
    # then
    [email] = server.received
    assert email.get_content_type() == "multipart/alternative"
    assert body_of(email).replace("\r\n", "\n") == text.body  # (SMTP carries CRLF line ends)
    html = email.get_body(preferencelist=("html",))
    assert html is not None
    assert (f"{PORTAL}/unlock?token={TOKEN}", "Unlock signing in") in Html(html.get_content()).links
