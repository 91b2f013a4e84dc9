"""Bilingual text: the one shape every French/English field takes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

Lang = Literal["fr", "en"]
LANGS: tuple[str, ...] = ("fr", "en")


class LocalizedText(BaseModel):
    """A text in French and in English; both are required and neither may be blank."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fr: str = Field(description="The text in French.")
    en: str = Field(description="The text in English.")

    @field_validator("fr", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise PydanticCustomError("kb_empty_text", "text is empty; write it in both French and English")
        return value

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to French."""
        return self.en if lang == "en" else self.fr
