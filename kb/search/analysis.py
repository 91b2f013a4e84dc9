"""Text analysis for the index: French and English analyzers, accent folding, and a language-neutral
analyzer for names. The analyzers are pickled into the index, so every filter here must stay
importable at this path; change ANALYSIS_VERSION whenever analysis changes (it forces a rebuild)."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer
from whoosh.lang import stemmer_for_language, stopwords_for_language

from kb.records.folding import fold  # re-exported: the search modules fold with it

ANALYSIS_VERSION = 3  # 3: the analyzers moved from kb.analysis to kb.search.analysis

# Words, numbers and hyphen-free compounds; apostrophes (' and ’) and hyphens split tokens,
# so "l’intégration" gives "l" (a stop word) and "intégration".
_WORDS = r"\w+"


fold_word = lru_cache(maxsize=500_000)(fold)  # one word at a time: words repeat a lot


class FoldFilter(Filter):
    """Folds each token with ``fold``."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold_word(t.text)
            yield t


class TermFilter(Filter):
    """Fold, drop stop words, stem ``stems`` times: one cached step per distinct word. Positions are
    renumbered over dropped words, as Whoosh's StopFilter does, so "titre de séjour" matches the
    phrase "titre séjour"."""

    def __init__(self, lang: str, stems: int = 1):
        self.lang, self.stems = lang, stems

    def __call__(self, tokens):
        pos = None
        for t in tokens:
            text = index_term(t.text, self.lang, self.stems)
            if not text:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.text, t.stopped = text, False
            yield t


@lru_cache(maxsize=500_000)
def index_term(word: str, lang: str, stems: int = 1) -> str:
    """The index term of one lower-cased word in ``lang``: folded and stemmed; "" for a stop word."""
    text = fold_word(word)
    if text in (FRENCH_STOPS if lang == "fr" else ENGLISH_STOPS):
        return ""
    stem = _stemmer(lang)
    for _ in range(stems):
        text = stem(text)
    return text


@lru_cache(maxsize=None)
def _stemmer(lang: str):
    return stemmer_for_language(lang)


def _stops(lang: str) -> frozenset[str]:
    words = set(stopwords_for_language(lang))
    return frozenset(words | {fold(w) for w in words})


FRENCH_STOPS = _stops("fr")
ENGLISH_STOPS = _stops("en")


def french_analyzer():
    """Tokenize, fold, drop French stop words (folded forms too), stem twice (stable on folded text)."""
    return RegexTokenizer(_WORDS) | LowercaseFilter() | TermFilter("fr", stems=2)


def english_analyzer():
    """Tokenize, fold, drop English stop words, stem."""
    return RegexTokenizer(_WORDS) | LowercaseFilter() | TermFilter("en", stems=1)


def name_analyzer():
    """For names of places, organisations and countries: tokenize and fold, nothing else."""
    return RegexTokenizer(_WORDS) | LowercaseFilter() | FoldFilter()


def analyze(analyzer, text: str) -> list[str]:
    """The tokens ``analyzer`` makes of ``text``."""
    return [t.text for t in analyzer(text)]


def terms_of(text: str, lang: str) -> set[str]:
    """The set of index terms the ``lang`` analyzer makes of ``text`` (each distinct word analysed once)."""
    stems = 2 if lang == "fr" else 1
    return {t for t in (index_term(w.lower(), lang, stems) for w in set(_WORD_RE.findall(text))) if t}


def words_of(text: str) -> list[str]:
    """The words of ``text`` in order, as the tokenizer splits them."""
    return _WORD_RE.findall(text)


def surface_words(text: str) -> set[str]:
    """Words of three letters or more, as the tokenizer splits them, folded: the vocabulary typos are
    corrected against."""
    words = {fold_word(w) for w in set(_WORD_RE.findall(text))}
    return {w for w in words if len(w) >= 3 and not w.isdigit()}


_WORD_RE = re.compile(_WORDS)
