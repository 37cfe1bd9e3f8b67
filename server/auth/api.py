"""Login endpoints (badge + PIN for the floor, password for supervisors) and who-am-I."""

from __future__ import annotations

from flask import current_app, request

from ..api import APIBlueprint
from ..http import current_user, refuse_unsafe_input, run_in_transaction
from . import services, throttle
from .guard import ANY_ROLE, bearer_token, require_role
from .models import TokenKind
from .schemas import BadgeLoginIn, LoginOut, MeOut, PasswordLoginIn

bp = APIBlueprint("auth", __name__, url_prefix="/api", tag="Auth")

PUBLIC_ENDPOINTS = {"auth.badge_login", "auth.password_login"}


def _login(attempt: throttle.Attempt, find_user, *, token_kind: TokenKind, device_id: str | None):
    """Check the credential under the throttle (throttle.py), then issue a token and a known-device proof."""
    refuse_unsafe_input()
    user = throttle.guarded(attempt, find_user)

    def issue():
        return services.issue_token(
            user, kind=token_kind, name=f"{token_kind.value} login", device_id=device_id,
            lifetime=services.shift_lifetime(current_app.config["SHIFT_HOURS"]))

    plain, token = run_in_transaction(issue)
    return {"token": plain, "expires_at": token.expires_at, "user": user,
            "device_proof": attempt.proof_after_success()}


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.action("/auth/badge-login", public=True, body=BadgeLoginIn, out=LoginOut,
           summary="Sign in on a handheld with a badge scan and PIN")
def badge_login(body):
    """Give the handheld a device-bound token that expires after a shift."""
    badge = body["badge"].strip()
    attempt = throttle.Attempt(f"badge:{badge}", _address(), body["device_id"], body["device_proof"])
    return _login(attempt, lambda: services.find_badge_user(badge, body["pin"]),
                  token_kind=TokenKind.DEVICE, device_id=body["device_id"])


@bp.action("/auth/login", public=True, body=PasswordLoginIn, out=LoginOut,
           summary="Sign in with name and password (supervisor tools, scripts)")
def password_login(body):
    name = services.normalise_username(body["username"])
    device = (request.headers.get("X-Device-Id") or throttle.NO_DEVICE)[:64]
    attempt = throttle.Attempt(f"user:{name}", _address(), device, body["device_proof"])
    return _login(attempt, lambda: services.find_password_user(name, body["password"]),
                  token_kind=TokenKind.LOGIN, device_id=None)


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
