"""Query.activationLink: whether an activation link still works, checked without using it up."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.security.activation import activation_link


@strawberry.type(description="What an activation link (welcome or invitation e-mail) opens with.")
class ActivationLink:
    display_name: str = strawberry.field(description="The name the invitation was sent to.")
    account_name: str
    expires_at: datetime


@strawberry.type
class Query:
    @strawberry.field(
        description="The activation link's invitee and account, so the page can greet them and say at once "
        "when the link is dead; null when it is not valid (unknown, used, expired). It does not use the link "
        "up. Readable by whoever holds the link, as the e-mail that carries it is: it says nothing more."
    )
    async def activation_link(self, token: str) -> ActivationLink | None:
        link = await activation_link(token)
        if link is None:
            return None
        return ActivationLink(
            display_name=link.display_name, account_name=link.account_name, expires_at=link.expires_at
        )
