"""A per-worker cache of authenticated bearer tokens: a warm handheld's request costs no auth query.

Bound on revocation: a logout, token revocation, PIN or password change or deactivation done in this
worker process drops the affected entries at once (and again when its transaction commits, so a
request that read the old row meanwhile cannot put it back). Done in another worker, process or
server, it takes effect here within TOKEN_CACHE_SECONDS (5 s): an entry is trusted for that long after
it was read from the database, then read again. Expiry needs no database read and is checked on
every request, so an expired token is refused at once, cached or not.

Entries hold plain values (AuthUser), never ORM objects: they outlive the session that loaded them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

from .models import Role, TokenKind

TOKEN_CACHE_SECONDS = 5.0
MAX_ENTRIES = 10_000  # far more tokens than a warehouse signs in within a few seconds


@dataclass(frozen=True, slots=True)
class AuthUser:
    """The signed-in user as a request sees it (`g.current_user`): plain values, usable in any transaction.

    Not an ORM object: to change the user, load it (`db.session.get(User, g.current_user_id)`).
    """

    id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class CachedToken:
    user: AuthUser
    kind: TokenKind
    device_id: str | None
    expires_at: datetime | None
    read_at: float  # time.monotonic() when the row was read


class TokenCache:
    """Token digest → CachedToken, safe for the threads of one worker."""

    def __init__(self, ttl: float = TOKEN_CACHE_SECONDS, clock=time.monotonic):
        self.ttl, self.clock = ttl, clock
        self._entries: dict[str, CachedToken] = {}
        self._lock = threading.Lock()
        # Bumped by every invalidation: a read that began before one must not be stored after it.
        self._generation = 0

    def get(self, digest: str) -> CachedToken | None:
        entry = self._entries.get(digest)
        if entry is not None and self.clock() - entry.read_at >= self.ttl:
            self._entries.pop(digest, None)
            return None
        return entry

    def generation(self) -> int:
        return self._generation

    def put(self, digest: str, entry: CachedToken, *, generation: int) -> None:
        """Store entry, read from the database while generation() was `generation`."""
        with self._lock:
            if generation != self._generation:
                return  # something was revoked meanwhile: what we read may be stale already
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = entry

    def forget_token(self, digest: str) -> None:
        with self._lock:
            self._generation += 1
            self._entries.pop(digest, None)

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            self._generation += 1
            for digest in [d for d, e in self._entries.items() if e.user.id == user_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()


token_cache = TokenCache()
