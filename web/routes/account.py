"""Account pages: overview, my profile, my matches, digest settings, API tokens, tag fixes."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.accounts.render import page
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])


@router.get("/account", include_in_schema=False)
def account(request: Request, user: SignedInUser) -> Response:
    """The signed-in person's overview page."""
    return page(request, "account.html", {"me": user})
