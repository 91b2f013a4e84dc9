"""integration-practices-kb: the good-practice knowledge base of the integration toolkit.

Data flows one way: YAML records -> validated models -> index -> search / recommend -> CLI, API, pages,
and the subpackages follow it: ``kb.records`` <- ``kb.search`` <- ``kb.assess`` <- ``kb.web`` <- ``kb.cli``
(each imports only those before it; ``kb.paths`` is the base all may import).
"""

__version__ = "0.1.0"
