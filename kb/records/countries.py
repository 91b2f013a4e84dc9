"""Countries: ISO 3166-1 alpha-2 codes, their French and English names (from Babel's CLDR data),
and resolution of whatever a user types (a code, a name in either language, a typo) to a code.

The names are read from ``country-names.json`` beside this module, written from CLDR by
``make countries``: loading Babel's whole French and English locale data for them cost every process
10 MB and 50 ms. A test fails when the file and the installed Babel disagree.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

NAMES_FILE = Path(__file__).with_name("country-names.json")

# CLDR lists some territories that are not ISO 3166-1 countries; they are left out.
_NOT_ISO_3166_1 = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}


def fold(text: str) -> str:
    """Lower-case and strip accents, for comparing what users type with names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@dataclass(frozen=True)
class Match:
    """A country a user's input resolved to, or one of the close candidates."""

    code: str
    name_fr: str
    name_en: str
    score: float


def from_cldr() -> dict:
    """The content of ``country-names.json``, from the installed Babel's CLDR data."""
    import babel
    from babel import Locale

    fr, en = Locale("fr").territories, Locale("en").territories
    names = {code: [fr[code], en[code]] for code in sorted(en)
             if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166_1}
    return {"cldr": babel.core.get_cldr_version(), "names": names}


def write_names_file(path: Path = NAMES_FILE) -> None:
    """Write ``from_cldr()`` to ``path``, one country a line (``make countries``)."""
    data = from_cldr()
    lines = [f"  {json.dumps(code)}: {json.dumps(pair, ensure_ascii=False)}" for code, pair in data["names"].items()]
    path.write_text(f'{{"cldr": {json.dumps(data["cldr"])}, "names": {{\n'
                    + ",\n".join(lines) + "\n}}\n", encoding="utf-8")


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, str]]:
    return {code: (fr, en) for code, (fr, en) in json.loads(NAMES_FILE.read_text(encoding="utf-8"))["names"].items()}


def codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return list(_names())


def name(code: str, lang: str = "fr") -> str:
    """The country's name in ``lang`` (fr or en); the code itself when unknown."""
    names = _names().get(code.upper())
    if names is None:
        return code
    return names[1] if lang == "en" else names[0]


@lru_cache(maxsize=1)
def _choices() -> dict[str, str]:
    """Folded name or code -> code."""
    choices: dict[str, str] = {}
    for code, (fr, en) in _names().items():
        choices[fold(code)] = code
        choices[fold(fr)] = code
        choices[fold(en)] = code
    # Common English forms CLDR spells otherwise.
    choices.setdefault("turkey", "TR")
    choices.setdefault("czech republic", "CZ")
    return choices


def resolve(text: str, *, cutoff: float = 80.0) -> str | None:
    """The code ``text`` means (``FI``, ``fi``, ``Finlande``, ``finland``, ``finlnd``), or None."""
    key = fold(text)
    if not key:
        return None
    choices = _choices()
    if key in choices:
        return choices[key]
    if len(key) <= 3:  # a short string is a code or nothing; fuzzy matching would guess wildly
        return None
    best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=cutoff)
    return choices[best[0]] if best else None


def suggest(text: str, limit: int = 3) -> list[Match]:
    """The countries closest to ``text``, best first."""
    key = fold(text)
    choices = _choices()
    seen: dict[str, float] = {}
    for choice, score, _ in process.extract(key, list(choices), scorer=fuzz.ratio, limit=limit * 4):
        code = choices[choice]
        seen[code] = max(seen.get(code, 0.0), score)
    ranked = sorted(seen.items(), key=lambda kv: -kv[1])[:limit]
    return [Match(code, name(code, "fr"), name(code, "en"), score) for code, score in ranked]
