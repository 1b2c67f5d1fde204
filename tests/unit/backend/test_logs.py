"""The log scrub removes ID and phone numbers wherever they appear."""

from __future__ import annotations

import logging

from backend.logs import JsonFormatter, scrub


def test_scrub_removes_id_numbers_and_phones() -> None:
    text = "caller 13812345678 (+86 13987654321) id 44031019850101123X about 440310198501011234"
    out = scrub(text)
    assert "13812345678" not in out and "13987654321" not in out
    assert "44031019850101123X" not in out and "440310198501011234" not in out
    assert out.count("[phone]") == 2 and out.count("[id-number]") == 2


def test_scrub_keeps_ordinary_numbers() -> None:
    text = "request 12345 took 1500 ms; cell 618138569991258111; path 440310.01.03"
    assert scrub(text) == text


def test_json_formatter_scrubs_extras() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "lookup", None, None)
    record.phone = "13812345678"
    line = JsonFormatter().format(record)
    assert "13812345678" not in line and "[phone]" in line


def test_scrub_leaves_hex_ids_alone() -> None:
    text = "request_id=d27dd2d7f15348229098c800a5e0eefa"
    assert scrub(text) == text


def test_scrub_removes_tokens() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    line = f"headers sec-websocket-protocol: pingan.v1, bearer.{jwt} refresh rt_abcdefghijklmnopqrstuvwx"
    out = scrub(line)
    assert jwt not in out
    assert "rt_abcdefghijklmnopqrstuvwx" not in out
    assert out.count("[token]") == 2
