"""integration-practices-kb: the good-practice knowledge base of the integration toolkit.

Data flows one way: YAML records -> validated models -> index -> search / recommend -> CLI, API, pages.
"""

__version__ = "0.1.0"
