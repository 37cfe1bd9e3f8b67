"""Login endpoints (badge + PIN for the floor, password for supervisors) and who-am-I."""

from __future__ import annotations

from flask import current_app, request

from ..api import APIBlueprint
from ..errors import BadCredentials
from ..http import current_user, reject_nul_characters, run_in_transaction
from . import services
from .guard import ANY_ROLE, bearer_token, require_role
from .models import TokenKind
from .schemas import BadgeLoginIn, LoginOut, MeOut, PasswordLoginIn

bp = APIBlueprint("auth", __name__, url_prefix="/api", tag="Auth")

PUBLIC_ENDPOINTS = {"auth.badge_login", "auth.password_login"}


def _login(account_key: str, find_user, *, token_kind: TokenKind, device_id: str | None):
    reject_nul_characters()
    client_key = request.remote_addr or "unknown"
    services.check_not_locked(account_key, client_key)
    try:
        user = find_user()
    except BadCredentials:
        run_in_transaction(services.record_failure, account_key, client_key)
        raise

    def issue():
        services.clear_failures(account_key)
        return services.issue_token(
            user, kind=token_kind, name=f"{token_kind.value} login", device_id=device_id,
            lifetime=services.shift_lifetime(current_app.config["SHIFT_HOURS"]))

    plain, token = run_in_transaction(issue)
    return {"token": plain, "expires_at": token.expires_at, "user": user}


@bp.action("/auth/badge-login", public=True, body=BadgeLoginIn, out=LoginOut,
           summary="Sign in on a handheld with a badge scan and PIN")
def badge_login(body):
    """Give the handheld a device-bound token that expires after a shift."""
    badge = body["badge"].strip()
    return _login(f"badge:{badge}", lambda: services.find_badge_user(badge, body["pin"]),
                  token_kind=TokenKind.DEVICE, device_id=body["device_id"])


@bp.action("/auth/login", public=True, body=PasswordLoginIn, out=LoginOut,
           summary="Sign in with name and password (supervisor tools, scripts)")
def password_login(body):
    name = services.normalise_username(body["username"])
    return _login(f"user:{name}", lambda: services.find_password_user(name, body["password"]),
                  token_kind=TokenKind.API, device_id=None)


@bp.action("/auth/logout", roles=ANY_ROLE, status=204, summary="End this token's session")
def logout():
    run_in_transaction(services.revoke_token, bearer_token())
    return ""


@bp.get("/me")
@require_role(*ANY_ROLE)
@bp.output(MeOut)
@bp.doc(summary="Who this token belongs to")
def me():
    return {"user": current_user()}
