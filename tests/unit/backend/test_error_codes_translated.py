"""Every error code the backend can send has words in both frontend languages.

The codes are found in the source, not listed by hand, so a new ``code="..."`` without an
``error.code.<code>`` entry in ``frontend/src/shared/i18n/*.{zh-CN,en}.json`` (and a row in
``frontend/src/shared/error-text.ts``) fails here before an operator meets it untranslated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BACKEND = ROOT / "backend"
I18N = ROOT / "frontend" / "src" / "shared" / "i18n"
ERROR_TEXT = ROOT / "frontend" / "src" / "shared" / "error-text.ts"
HTTP_TS = ROOT / "frontend" / "src" / "shared" / "http.ts"

CODE = r'"([a-z][a-z0-9_]*)"'
# Errors whose first positional argument is the code (``AuthError("locked", ...)``).
CODE_FIRST = ("AuthError", "TopicError")
PATTERNS = [
    # class defaults (``code = "not_found"``) and keywords (``code="unknown_address"``,
    # ``Error(code="rate_limited", ...)`` on the socket)
    re.compile(r"\bcode\s*=\s*" + CODE),
    re.compile(r"\b(?:" + "|".join(CODE_FIRST) + r")\(\s*" + CODE),
    # backend/errors.py: ``error_response(400, "invalid", ...)``
    re.compile(r"\berror_response\(\s*[\w.]+\s*,\s*" + CODE),
]
# backend/errors.py: Litestar's statuses mapped to codes, and the fallback.
STATUS_MAP = re.compile(r"^\s*\d{3}:\s*" + CODE + r",?\s*$", re.MULTILINE)
STATUS_FALLBACK = re.compile(r"\.get\(exc\.status_code,\s*" + CODE + r"\)")
# An exception class taking the code first would hide its codes from PATTERNS.
CODE_FIRST_CLASS = re.compile(
    r"^class (\w+)\([^)]*\):(?:(?!^class ).)*?def __init__\(\s*self,\s*code\s*:",
    re.MULTILINE | re.DOTALL,
)
# Ours, raised in http.ts when no usable answer arrived.
CLIENT_CODES = ("network", "timeout", "bad_response")


def backend_sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(BACKEND.rglob("*.py"))}


def backend_error_codes() -> dict[str, list[str]]:
    """Each code found in backend/**/*.py, with the files that send it."""
    found: dict[str, list[str]] = {}
    for path, text in backend_sources().items():
        codes = [m.group(1) for pattern in PATTERNS for m in pattern.finditer(text)]
        if path.name == "errors.py" and path.parent == BACKEND:
            codes += STATUS_MAP.findall(text) + STATUS_FALLBACK.findall(text)
        for code in codes:
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def table(locale: str) -> dict[str, str]:
    """The shared and every area table of one language, merged (as i18n.ts does)."""
    merged: dict[str, str] = {}
    for path in sorted(I18N.glob(f"*{locale}.json")):
        if path.name == f"{locale}.json" or path.name.endswith(f".{locale}.json"):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def all_codes() -> set[str]:
    return set(backend_error_codes()) | set(CLIENT_CODES)


def test_the_scan_finds_codes_of_every_kind() -> None:
    codes = backend_error_codes()
    # defaults, code= keywords, positional codes, handlers, socket errors: a broken regex
    # must not pass by finding nothing.
    expected = {
        "bad_request",
        "not_found",
        "too_many_requests",
        "unknown_address",
        "ambiguous_place",
        "invalid_credentials",
        "locked",
        "unknown_topic",
        "too_many_subscriptions",
        "rate_limited",
        "invalid",
        "method_not_allowed",
        "http_error",
        "internal",
    }
    assert expected <= set(codes), sorted(expected - set(codes))
    assert all(code.islower() for code in codes)


def test_no_exception_class_hides_its_code_from_the_scan() -> None:
    for path, text in backend_sources().items():
        for name in CODE_FIRST_CLASS.findall(text):
            assert name in CODE_FIRST, f"{path}: {name}(code, ...) is not in CODE_FIRST"


def test_the_client_codes_are_still_raised_by_http_ts() -> None:
    source = HTTP_TS.read_text(encoding="utf-8")
    for code in CLIENT_CODES:
        assert f'"{code}"' in source, code


def test_every_error_code_has_words_in_both_languages() -> None:
    where = backend_error_codes()
    for locale in ("zh-CN", "en"):
        texts = table(locale)
        missing = sorted(c for c in all_codes() if f"error.code.{c}" not in texts)
        assert missing == [], f"no error.code.<code> in the {locale} tables for: " + ", ".join(
            f"{c} ({', '.join(sorted(set(where.get(c, ['http.ts']))))})" for c in missing
        )


def test_every_error_code_is_mapped_in_error_text_ts() -> None:
    source = ERROR_TEXT.read_text(encoding="utf-8")
    mapped = set(re.findall(r'^\s*(\w+): tk\("error\.code\.(\w+)"\)', source, re.MULTILINE))
    assert all(code == key for code, key in mapped), sorted(c for c in mapped if c[0] != c[1])
    missing = sorted(all_codes() - {code for code, _ in mapped})
    assert missing == [], f"add to CODE_TEXTS in frontend/src/shared/error-text.ts: {missing}"


def test_the_chinese_texts_are_chinese() -> None:
    zh = table("zh-CN")
    for key in (k for k in zh if k.startswith(("error.code.", "error.field."))):
        assert re.search(r"[\u4e00-\u9fff]", zh[key]), f"{key}: {zh[key]!r} has no Chinese"
