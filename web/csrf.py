"""CSRF tokens for the dashboard's writes: a signed value bound to the browser's session.

A write that a browser authenticates with its session cookie must also carry this token (in
the `X-CSRF-Token` header or a `csrf_token` form field). The page that offers the write gets it
rendered in; another site can make the browser send the cookie but cannot read the page, so it
cannot send the token. The token is an itsdangerous signature (the app's SECRET_KEY, its own
salt) of the session id in the signed cookie, so it is worth nothing in another session and
expires with the session. Requests that bring their own token (`Authorization: Bearer`) carry
no ambient credential and need none.
"""

from __future__ import annotations

import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "finops-csrf-v1"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"


def issue(secret: str | bytes, binding: str) -> str:
    """A token for the session `binding` (its session id)."""
    return str(URLSafeTimedSerializer(secret, salt=SALT).dumps({"b": binding}))


def valid(secret: str | bytes, token: str | None, binding: str | None, max_age_s: int) -> bool:
    """True when `token` was issued for this binding with this key and is not too old."""
    if not token or not binding:
        return False
    try:
        doc = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=max_age_s)
    except BadSignature:  # also SignatureExpired
        return False
    return isinstance(doc, dict) and hmac.compare_digest(str(doc.get("b", "")), binding)
