"""Account pages: overview, my profiles, my matches, digest settings, API tokens, tag fixes.

``router`` bundles the account routers (one module per page family) for create_app.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from store.db import session_scope
from web.accounts import records
from web.accounts.render import page
from web.routes import (
    account_digest,
    account_labels,
    account_matches,
    account_profiles,
    account_tokens,
)
from web.security import SignedInUser

router = APIRouter(tags=["accounts"])


@router.get("/account", include_in_schema=False)
def account(request: Request, user: SignedInUser) -> Response:
    """The signed-in person's overview: profiles, digests, tokens."""
    with session_scope(request.app.state.engine) as session:
        profiles = records.profiles_of(session, user)
        subscriptions = records.subscriptions_of(session, user)
        tokens = [t for t in records.tokens_of(session, user) if t.revoked_at is None]
    names = {p.id: p.name for p in profiles}
    context = {
        "me": user,
        "profiles": profiles,
        "subscriptions": subscriptions,
        "profile_names": names,
        "token_count": len(tokens),
    }
    return page(request, "account.html", context)


for _module in (account_profiles, account_matches, account_digest, account_tokens, account_labels):
    router.include_router(_module.router)
