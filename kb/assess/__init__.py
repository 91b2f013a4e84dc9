"""Self-assessment: an organisation's answers to the checklist and what follows from them.

Answers files (``answers``) and the grid (``grid``), progress per theme (``progress``), gaps with the
records that fill them (``recommend``), the written summary (``summary``), a team's answers together
(``team``), an action plan (``plan``) and the worked example answers (``examples``, with the files in
``example-answers/``).

Imports: ``kb.search``, ``kb.records`` and ``kb.paths``; nothing of ``kb.web`` or ``kb.cli``
(tests/test_layout.py checks it).
"""
