"""Worked examples of the self-assessment: answers files of imagined organisations.

The files live in the package (``kb/assess/example-answers/*.yaml``, the one copy the README, the tests and
the web app read), in the shape ``kb gaps`` reads. ``/start`` opens three of them in ``/results``
(``/results?example=small-ngo``) so that a first-time visitor sees a whole result before filling in
anything; nothing about the visitor is read or stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.assess.answers import Answers, parse_answers
from kb.paths import EXAMPLE_ANSWERS_DIR
from kb.records.text import LocalizedText


@dataclass(frozen=True)
class Example:
    """An example answers file and how /start presents it."""

    name: str
    label: LocalizedText
    blurb: LocalizedText

    @property
    def path(self) -> Path:
        return EXAMPLE_ANSWERS_DIR / f"{self.name}.yaml"


def _text(fr: str, en: str) -> LocalizedText:
    return LocalizedText(fr=fr, en=en)


EXAMPLES: dict[str, Example] = {e.name: e for e in (
    Example("polish-municipality",
            _text("Une municipalité en Pologne", "A municipality in Poland"),
            _text("Le service de politique sociale d'une ville qui accueille des réfugiés d'Ukraine depuis 2022 : "
                  "bien informé des besoins, peu de retours des réfugiés eux-mêmes.",
                  "The social-policy department of a city that has received refugees from Ukraine since 2022: "
                  "it knows the needs well, but hears little from refugees themselves.")),
    Example("small-ngo",
            _text("Une petite ONG", "A small NGO"),
            _text("Des cafés de langue et du parrainage pour des familles réfugiées, animés par des bénévoles "
                  "avec une coordinatrice à temps partiel et une seule subvention.",
                  "Language cafés and mentoring for refugee families, run by volunteers with a part-time "
                  "coordinator and a single grant.")),
    Example("refugee-led-organisation",
            _text("Une organisation dirigée par des réfugiés", "A refugee-led organisation"),
            _text("Une association fondée par des réfugiés : accompagnement par les pairs, groupe de femmes, aide "
                  "aux devoirs ; proche des besoins, fragile dans son financement.",
                  "An association founded by refugees: peer counselling, a women's group, homework help; close "
                  "to the needs, fragile in its funding.")),
    Example("city-department",
            _text("Le service d'intégration d'une ville finlandaise", "A Finnish city's integration services"),
            _text("Un service municipal qui coordonne beaucoup, mais sans instance de consultation des réfugiés.",
                  "A city department that coordinates a lot, but has no standing body to consult refugees.")),
)}
START_EXAMPLES = ("polish-municipality", "small-ngo", "refugee-led-organisation")  # the ones /start offers


def get(name: str) -> Example:
    """The example called ``name``; KeyError naming the choices when there is none."""
    try:
        return EXAMPLES[name]
    except KeyError:
        raise KeyError(f"no example {name!r}; examples: {', '.join(EXAMPLES)}") from None


def load(name: str) -> Answers:
    """The answers of example ``name``, read and checked like any answers file."""
    example = get(name)
    return parse_answers(example.path.read_bytes(), f"{example.name}.yaml")
