"""The HTML part of an e-mail, made from its plain text: the same words, a link to the portal alone on its
line as a button (with the link itself under it), a one-time code alone on its line large.

Everything from the text is escaped: names, account names and a sign-in's browser in it are supplied by
others. Only a link to PUBLIC_URL alone on its line becomes a link, as every template writes its links:
a portal address inside a sentence is someone's text, and stays text. No images, no scripts, the CSS
inline (what mail clients keep)."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

CODE = re.compile(r"\d{6}")
# Buttons say what the page does; a portal page not listed here gets the generic label.
BUTTON_LABELS = {
    "/activate": "Activate your account",
    "/reset-password": "Choose a new password",
    "/unlock": "Unlock signing in",
    "/secure-account": "Secure my account",
    "/billing": "Go to Billing",
}
DEFAULT_LABEL = "Open the portal"

_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n</head>\n'
    '<body style="margin:0;padding:24px 12px;background-color:#f3f4f6;">\n'
    '<div style="max-width:560px;margin:0 auto;padding:24px;background-color:#ffffff;border-radius:8px;'
    'font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2937;">\n'
    '<h1 style="margin:0 0 16px;font-size:20px;line-height:1.3;">{title}</h1>\n'
    "{blocks}\n</div>\n</body>\n</html>\n"
)
_PARAGRAPH = '<p style="margin:0 0 16px;">{}</p>'
_BUTTON = (
    '<p style="margin:8px 0 4px;"><a href="{href}" style="display:inline-block;padding:12px 24px;'
    "background-color:#1d4ed8;color:#ffffff;font-weight:bold;text-decoration:none;border-radius:6px;"
    '">{label}</a></p>\n'
    '<p style="margin:0 0 16px;font-size:13px;color:#4b5563;word-break:break-all;">'
    '<a href="{href}" style="color:#4b5563;">{text}</a></p>'
)
_CODE = (
    "<p style=\"margin:0 0 16px;font-family:'Courier New',Courier,monospace;font-size:28px;"
    'font-weight:bold;letter-spacing:6px;">{}</p>'
)


def html_body(subject: str, text: str, public_url: str) -> str:
    """The HTML document of the message whose subject and plain-text body are given."""
    base = public_url.rstrip("/")
    # A link ends before the punctuation of the sentence around it.
    links = re.compile(re.escape(base) + r"/(?:[^\s<>\"']*[^\s<>\"'.,;:!?)])?")
    blocks: list[str] = []
    for paragraph in text.strip("\n").split("\n\n"):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            line = line.strip()
            if links.fullmatch(line) or CODE.fullmatch(line):
                if lines:
                    blocks.append(_PARAGRAPH.format("<br>\n".join(lines)))
                    lines = []
                blocks.append(_button(line, base) if links.fullmatch(line) else _CODE.format(line))
            elif line:
                lines.append(escape(line))
        if lines:
            blocks.append(_PARAGRAPH.format("<br>\n".join(lines)))
    return _PAGE.format(title=escape(subject), blocks="\n".join(blocks))


def _button(url: str, base: str) -> str:
    label = BUTTON_LABELS.get(urlsplit(url[len(base) :]).path.rstrip("/"), DEFAULT_LABEL)
    return _BUTTON.format(href=escape(url), label=escape(label), text=escape(url))
