"""One-time answer tokens: only a keyed hash is stored, so a database copy cannot answer."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 24


def new_token() -> tuple[str, str]:
    """A fresh URL-safe token and the hash to store for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"survey-token:" + token.encode(), hashlib.sha256).hexdigest()


def new_public_code() -> str:
    """A short code for links printed or shown in public (QR codes, kiosk addresses)."""
    return secrets.token_urlsafe(9)
