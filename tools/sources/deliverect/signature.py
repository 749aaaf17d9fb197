"""Deliverect's webhook signature: the hex HMAC-SHA256 of the raw request body, keyed with the shared secret,
in the ``x-server-authorization-hmac-sha256`` header. (In Deliverect's staging environment the secret is the
channel link id.) Verify the bytes exactly as received, before parsing them."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "x-server-authorization-hmac-sha256"


def sign(body: bytes, secret: str) -> str:
    """The signature Deliverect sends for ``body``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """True when ``signature`` is ``body``'s signature under ``secret`` (constant-time comparison)."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip().lower())
