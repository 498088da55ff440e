"""The authentication backend: Django's ModelBackend, reading the signed-in user from the shared cache.

Django loads the user row on every request (`get_user`). With the hot cache on
(XIESHANG_HOT_CACHE_SECONDS; Redis, or the machine's file cache), the row is kept with the user's roles, committees and member ids
under one key (`selectors.principal_entry`), so a page reads one key instead of three queries.
The cached row has no password hash: Django's session check compares the session's hash with the
session auth hash kept beside the row (`User.get_session_auth_hash`). `User.save` forgets the key
(`core.cache.forget`): a password change, a deactivation or a sign-in takes effect on the next
request of every process. ADR 0009.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from . import selectors


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        if not selectors.hot_cache_seconds():
            return super().get_user(user_id)
        from .cache import primed_get

        entry = primed_get(selectors.principal_key(user_id))
        if entry is None or entry.get("secret") != selectors._secret_tag():
            user = super().get_user(user_id)
            if user is not None:
                entry = selectors.principal_entry(user)
            else:
                return None
        user = entry["user"]
        selectors._attach_principal(user, entry)
        user._xieshang_session_hashes = entry["session_hashes"]
        return user if self.user_can_authenticate(user) else None
