"""Hashing of PINs and passwords (werkzeug's scrypt: a current, memory-hard hash)."""

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

# A dummy hash to compare against when the account does not exist, so that a wrong badge and a
# wrong PIN take the same time and a badge cannot be probed by timing.
_DUMMY = generate_password_hash("not-a-real-secret")


def hash_secret(secret: str) -> str:
    # Tests lower the cost (PASSWORD_HASH_METHOD); production keeps werkzeug's scrypt default.
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
    return generate_password_hash(secret, method=method)


def check_secret(stored_hash: str | None, secret: str) -> bool:
    if not stored_hash:
        check_password_hash(_DUMMY, secret)
        return False
    return check_password_hash(stored_hash, secret)
