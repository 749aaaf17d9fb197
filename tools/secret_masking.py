"""Credentials out of text before it is shown, stored or logged: the password (or a lone token) in a URL's
``user:password@``, secret-looking query parameters (``?token=…``, ``access_token=``, ``api_key=``…), the
shapes of the API keys opsbot holds (``sk-ant-…``, Slack's ``xox…-``/``xapp-``, ``Bearer …``), and any
exact secret value from the settings. Used by ``tools`` and ``bot`` alike (``tools`` may not import
``bot``); ``install_log_masking`` masks every log record of the process."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "***"
MIN_KNOWN_SECRET = 8  # shorter configured values would mask ordinary words

# scheme://userinfo@ — the authority ends at / ? # or whitespace/quotes; the last @ in it ends userinfo.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^\s/?#'\"<>]*)@")
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;][\w.-]*(?:token|key|secret|passw|pwd|signature|sig|auth|credential)[\w.-]*=)"
    r"[^&#\s'\"<>]*",
    re.IGNORECASE,
)
_KEY_SHAPES = re.compile(r"\b(?P<prefix>sk-ant-|xox[a-z]-|xapp-)[\w-]+|(?P<bearer>\bBearer )[\w.~+/=-]+")


def _userinfo(match: re.Match) -> str:
    user, colon, _password = match["userinfo"].partition(":")
    # user:password keeps the user; a lone user part may itself be the token (https://TOKEN@host).
    return f"{match['scheme']}{user}:{MASK}@" if colon else f"{match['scheme']}{MASK}@"


def mask_secrets(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every credential replaced by ``***`` (``known``: exact secret values to mask too);
    text without credentials comes back unchanged."""
    for secret in sorted((s for s in known if s and len(s) >= MIN_KNOWN_SECRET), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(_userinfo, text)
    text = _SECRET_PARAM.sub(lambda m: m["name"] + MASK, text)
    return _KEY_SHAPES.sub(lambda m: (m["prefix"] or m["bearer"]) + MASK, text)


_logged_secrets: list[tuple[str, ...]] = []  # the known values of the installed factory (one per process)


def install_log_masking(known: Iterable[str] = ()) -> None:
    """Mask every log record this process makes, whichever logger and handler: the record factory
    formats the message (and its traceback) and masks it before any handler sees it. Installed once;
    a later call only replaces the ``known`` values."""
    if _logged_secrets:
        _logged_secrets[0] = tuple(known)
        return
    _logged_secrets.append(tuple(known))
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def masked_record(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        masked = mask_secrets(message, _logged_secrets[0])
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_secrets(formatter.formatException(record.exc_info), _logged_secrets[0])
        return record

    logging.setLogRecordFactory(masked_record)
