"""Text analysis for the index: French and English analyzers, accent folding, and a language-neutral
analyzer for names. The analyzers are pickled into the index, so every filter here must stay
importable at this path; change ANALYSIS_VERSION whenever analysis changes (it forces a rebuild)."""

from __future__ import annotations

import unicodedata

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.lang import stopwords_for_language

ANALYSIS_VERSION = 1

# Words, numbers and hyphen-free compounds; apostrophes (' and ’) and hyphens split tokens,
# so "l’intégration" gives "l" (a stop word) and "intégration".
_WORDS = r"\w+"


def fold(text: str) -> str:
    """Lower-case, strip accents and expand ligatures: "Œuvre Réfugiée" -> "oeuvre refugiee"."""
    text = text.casefold().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class FoldFilter(Filter):
    """Folds each token with ``fold``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


def _stops(lang: str) -> frozenset[str]:
    words = set(stopwords_for_language(lang))
    return frozenset(words | {fold(w) for w in words})


FRENCH_STOPS = _stops("fr")
ENGLISH_STOPS = _stops("en")


def french_analyzer():
    """Tokenize, fold, drop French stop words (folded forms too), stem twice (stable on folded text)."""
    return (
        RegexTokenizer(_WORDS)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=FRENCH_STOPS, minsize=1)
        | StemFilter(lang="fr")
        | StemFilter(lang="fr")
    )


def english_analyzer():
    """Tokenize, fold, drop English stop words, stem."""
    return (
        RegexTokenizer(_WORDS)
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(stoplist=ENGLISH_STOPS, minsize=1)
        | StemFilter(lang="en")
    )


def name_analyzer():
    """For names of places, organisations and countries: tokenize and fold, nothing else."""
    return RegexTokenizer(_WORDS) | LowercaseFilter() | FoldFilter()


def analyze(analyzer, text: str) -> list[str]:
    """The tokens ``analyzer`` makes of ``text``."""
    return [t.text for t in analyzer(text)]


def surface_words(text: str) -> set[str]:
    """Folded words of three letters or more: the vocabulary typos are corrected against."""
    import re

    return {w for w in re.findall(_WORDS, fold(text)) if len(w) >= 3 and not w.isdigit()}
