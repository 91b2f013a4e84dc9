"""Web: the FastAPI application and what it publishes.

The app factory (``app``) and what every request goes through (``middleware``), the loaded records and index it serves (``service``),
the HTML pages (``pages``, ``team_pages``), the JSON API (``api``), the printable book and the Atom
feed (``book``, ``feed``, routed by ``publish``), interface strings (``i18n``) and the uvicorn
launcher (``server``). Templates and static files are in ``web/`` at the project root.

Imports: ``kb.assess``, ``kb.search``, ``kb.records`` and ``kb.paths``; nothing of ``kb.cli``
(tests/test_layout.py checks it). This package's ``__init__`` imports nothing, so that a command
using ``kb.web.i18n`` does not load the web stack.
"""
