"""GET /statements/{id}.pdf?expires=..&signature=..: a statement as a PDF download. The link comes from
Statement.pdfUrl and works for a few minutes; it is checked as a credential of the request, never
instead of one: the caller (a session by bearer token or cookie, or an API key) must hold VIEW_BILLING
on the statement's account."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.settings import Settings
from models.access import Permission
from models.billing.models import Statement
from models.billing.statement_document import statement_document
from models.billing.statement_links import PDF_PATH, link_is_valid
from models.billing.statement_pdf import render_statement_pdf
from models.db.clock import utcnow
from schema.context import Caller
from schema.ids import pk_of


def statement_pdf_route(settings: Settings) -> Route:
    async def statement_pdf(request: Request) -> Response:
        statement_id = pk_of(request.path_params["statement_id"], "Statement")
        expires = request.query_params.get("expires", "")
        signature = request.query_params.get("signature", "")
        now = utcnow()
        if (
            statement_id is None
            or not expires.isdigit()
            or len(expires) > 12
            or not link_is_valid(settings.secret_key, statement_id, int(expires), signature, now)
        ):
            return _refused(403, "INVALID_LINK", "This link is not valid or has expired: ask for a new one.")
        caller: Caller | None = getattr(request.user, "caller", None)
        if caller is None:
            return _refused(401, "UNAUTHENTICATED", "Sign in to download this statement.")
        statement = await Statement.get_or_none(id=statement_id)
        if statement is None:
            return _refused(404, "NOT_FOUND", "This statement does not exist.")
        if statement.account_id != caller.account_id or Permission.VIEW_BILLING not in caller.permissions:
            return _refused(403, "FORBIDDEN", "You need the VIEW_BILLING permission.")
        document = await statement_document(statement, now.date())
        pdf = await asyncio.to_thread(render_statement_pdf, document)
        filename = f"statement-{document.account_number}-{statement.period_start.isoformat()}.pdf"
        return Response(
            pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{filename}"',
                "cache-control": "no-store",
            },
        )

    return Route(PDF_PATH, statement_pdf, methods=["GET"])


def _refused(status: int, code: str, message: str) -> JSONResponse:
    """The GraphQL endpoint's shape of an error, so clients read both alike."""
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)
