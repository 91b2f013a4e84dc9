"""Records: the schema and everything about a record file.

The framework (themes, checklist, indicators, vocabularies) and the record models (``framework``,
``models``, ``text``, ``vocabulary``, ``countries``), reading YAML with line numbers (``yamlsource``),
validating and fixing record files (``validate``, ``fix``, ``links``), writing a new one (``scaffold``),
the collection's statistics (``stats``) and the framework as JSON (``framework_json``).

Imports: ``kb.paths`` only; nothing of ``kb.search``, ``kb.assess``, ``kb.web`` or ``kb.cli``
(tests/test_layout.py checks it).
"""
