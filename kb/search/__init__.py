"""Search: the index built from the records and the searches run on it.

Text analysis and the thesaurus (``analysis``, ``thesaurus``), building the index (``indexer``, with the
per-document ``columns`` and the record briefs of ``catalogue`` written beside it), reading posting
lists as arrays (``postings``), ``SearchIndex`` (``engine``), facet filters (``filters``), "did you
mean" suggestions (``suggestions``) and the judged-query evaluation of search quality (``relevance``).

Imports: ``kb.records`` and ``kb.paths``; nothing of ``kb.assess``, ``kb.web`` or ``kb.cli``
(tests/test_layout.py checks it).
"""
