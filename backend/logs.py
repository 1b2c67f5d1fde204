"""JSON logging, one line per record, with a last-line scrub of ID and phone numbers.

Code never logs personal data on purpose; the scrub is the safety net for what slips through
(an exception message quoting a value, a library's debug line).
"""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

import msgspec

# Mainland resident ID numbers (18 characters) and mobile numbers (11 digits starting 1[3-9]).
ID_NUMBER_PATTERN = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
PHONE_PATTERN = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9]\d{9}(?![0-9A-Za-z])")
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()) | {
    "message",
    "asctime",
}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    # What the caller passed with extra=..., i.e. everything not standard on a LogRecord.
    return {
        k: v
        for k, v in vars(record).items()
        if k not in _STANDARD and not k.startswith("_") and k != "color_message"
    }


# Tokens: JWTs (three base64url parts) and our refresh tokens; a DEBUG log of WebSocket headers
# would otherwise print the bearer token of the subprotocol.
TOKEN_PATTERN = re.compile(
    r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}|rt_[A-Za-z0-9_-]{20,}"
)


def scrub(text: str) -> str:
    """Replace anything shaped like an ID number, a mobile number or a token."""
    text = TOKEN_PATTERN.sub("[token]", text)
    return PHONE_PATTERN.sub("[phone]", ID_NUMBER_PATTERN.sub("[id-number]", text))


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object; extra fields given with ``extra=`` are kept."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line, scrubbed."""
        out: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update(_extras(record))
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return scrub(msgspec.json.encode(out, enc_hook=str).decode())


class TextFormatter(logging.Formatter):
    """Human-readable lines for a terminal, scrubbed the same way."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, scrubbed."""
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        extras = {
            k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")
        }
        tail = " " + " ".join(f"{k}={v}" for k, v in extras.items()) if extras else ""
        line = f"{stamp} {record.levelname:<7} {record.name}: {record.getMessage()}{tail}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Route every logger to stderr through our formatter; quiet the chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("pgserver", "uvicorn.access", "apscheduler", "asyncio", "websockets"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # A poll skipped because the previous one still runs is by design (max_instances=1): the
    # next poll takes over. Errors of the scheduler itself still show.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
