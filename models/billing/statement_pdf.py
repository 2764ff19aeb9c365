"""A statement as a PDF (fpdf2): the account, the period, the line items and their total, the due date,
the payments applied and the balance. CPU-bound and synchronous: callers run it in a thread."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from models.billing.models import StatementStatus, format_money
from models.billing.statement_document import StatementDocument

# fpdf2's built-in fonts hold Windows-1252 only; a character outside it prints as "?" rather than fail
# the whole document (names and line items are people's text).
ENCODING = "cp1252"
AMOUNT_WIDTH = 40
STATUS_WORDS = {
    StatementStatus.OPEN: "Open",
    StatementStatus.PAID: "Paid",
    StatementStatus.OVERDUE: "Overdue",
}


def render_statement_pdf(document: StatementDocument) -> bytes:
    """The PDF's bytes."""
    pdf = FPDF(format="letter")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(_text(f"Statement {_day(document.period_start)} to {_day(document.period_end)}"))
    pdf.set_author(_text(document.account_name))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    _line(pdf, "Statement", height=10)
    pdf.set_font("Helvetica", size=11)
    for label, value in (
        ("Account", document.account_name),
        ("Account number", document.account_number),
        ("Period", f"{_day(document.period_start)} to {_day(document.period_end)}"),
        ("Issued", _day(document.issued_on)),
        ("Due date", _day(document.due_date)),
        ("Status", STATUS_WORDS[document.status]),
    ):
        _line(pdf, f"{label}: {value}")
    pdf.ln(4)
    _heading(pdf, "Charges")
    for description, amount in document.line_items:
        _row(pdf, description, format_money(amount))
    pdf.set_font("Helvetica", "B", 11)
    _row(pdf, "Total", format_money(document.total))
    pdf.ln(4)
    _heading(pdf, "Payments applied")
    if not document.payments:
        _line(pdf, "No payments yet.")
    for payment in document.payments:
        _row(pdf, f"{_day(payment.paid_on)}  {payment.method}", format_money(payment.amount))
    pdf.set_font("Helvetica", "B", 11)
    _row(pdf, "Paid so far", format_money(document.amount_paid))
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 13)
    _row(pdf, f"Balance due by {_day(document.due_date)}", format_money(document.balance), height=9)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 13)
    _line(pdf, text, height=9)
    pdf.set_font("Helvetica", size=11)


def _line(pdf: FPDF, text: str, *, height: float = 7) -> None:
    pdf.multi_cell(0, height, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf: FPDF, text: str, amount: str, *, height: float = 7) -> None:
    pdf.cell(pdf.epw - AMOUNT_WIDTH, height, _fit(pdf, _text(text), pdf.epw - AMOUNT_WIDTH - 2), border="B")
    pdf.cell(AMOUNT_WIDTH, height, amount, border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=11)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text`, cut short with an ellipsis when it would run into the amount column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "\u2026") > width:
        text = text[:-1]
    return text + "\u2026"


def _text(text: str) -> str:
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
