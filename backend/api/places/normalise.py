"""Pure normalisation of Chinese address text into a comparable form and its token bigrams.

The same function runs on every stored address (at import) and on every query, so the two meet
in one form: NFKC (full-width digits and letters become half-width), lower case, no spaces or
punctuation, Chinese numerals before a unit word turned into digits (``三栋`` → ``3栋``), common
variant words folded (``幢``/``座``/``号楼``/``#`` → ``栋``, ``室`` → ``房``) and the prefixes
every address of the district shares (``广东省深圳市坪山区``, ``街道``, ``社区``) dropped.

Grams are bigrams over *tokens*, where a run of digits is one token: ``深汕路12号`` gives
``深汕 汕路 路12 12号``. Whole numbers keep ``12号`` from matching ``112号`` and make the grams
that carry a house number rare, hence selective in the index.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"(第)?([零〇一二两三四五六七八九十百]+)(?=[号栋幢座楼层单元室房巷弄期排])")
# Whole words the whole district shares: they carry no information and only dilute scores.
_SHARED = re.compile(r"^(中国)?(广东省?)?(深圳市?)?(坪山新?区)?")
_ADMIN_WORDS = re.compile(r"街道办事处|街道办|街道|社区居委会|社区工作站|居委会|社区")
_BUILDING = re.compile(r"(\d+)(?:#楼?|号楼|幢|座|栋楼)")
_ROOM = re.compile(r"(\d+)(?:室|号房)")
_DROP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_TOKEN = re.compile(r"[0-9]+|[a-z]+|[\u3400-\u9fff]")


def chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``三百零五`` → 305, ``一二`` → 12 (digit by digit); None if not a number."""
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    if "十" not in text and "百" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def _digits(match: re.Match[str]) -> str:
    value = chinese_number(match.group(2))
    return match.group(0) if value is None else str(value)


def normalise_address(text: str) -> str:
    """The comparable form of an address: see the module docstring for the rules."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = "".join(s.split())
    s = _CN_NUMBER.sub(_digits, s)
    s = _SHARED.sub("", s)
    s = _ADMIN_WORDS.sub("", s)
    s = _BUILDING.sub(r"\1栋", s)
    s = _ROOM.sub(r"\1房", s)
    return _DROP.sub("", s)


def tokens(norm: str) -> list[str]:
    """Tokens of a normalised address: digit runs, latin runs, single CJK characters."""
    return _TOKEN.findall(norm)


def address_grams(norm: str) -> list[str]:
    """The sorted, distinct token bigrams of a normalised address (one token: itself)."""
    toks = tokens(norm)
    if len(toks) == 1:
        return toks
    return sorted({a + b for a, b in itertools.pairwise(toks)})


def similarity(query: list[str], candidate: list[str]) -> float:
    """Score in [0, 1]: how much of the query the candidate covers, then how little it adds.

    0.7 × coverage of the query's grams + 0.3 × Dice: a full address ranks above its rooms for a
    building's address, and a missing word costs less than a wrong one.
    """
    if not query or not candidate:
        return 0.0
    q, c = set(query), set(candidate)
    common = len(q & c)
    return 0.7 * common / len(q) + 0.3 * 2 * common / (len(q) + len(c))
