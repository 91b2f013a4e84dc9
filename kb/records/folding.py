"""Accent folding: the one form in which words are compared, for record ids (``kb new``), vocabulary
look-ups and the search index alike."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip accents and expand ligatures: "Œuvre Réfugiée" -> "oeuvre refugiee"."""
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
