"""One-time answer tokens and clients' idempotency keys: only a keyed hash of either is stored,
so a database copy can neither answer nor overwrite someone's answer."""

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
    return keyed_hash(b"survey-token:", token)


def hash_idempotency_key(idempotency_key: str) -> str:
    """The stored form of a client's Idempotency-Key (64 hex characters)."""
    return keyed_hash(b"survey-idempotency-key:", idempotency_key)


def keyed_hash(purpose: bytes, value: str) -> str:
    """HMAC-SHA256 with the installation's secret; `purpose` keeps the uses apart."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, purpose + value.encode(), hashlib.sha256).hexdigest()


def new_public_code() -> str:
    """A short code for links printed or shown in public (QR codes, kiosk addresses)."""
    return secrets.token_urlsafe(9)
