"""Interface strings in French, English and any language with a catalog; content carries its own two
languages (``CONTENT_LANGS``), and a page in another language shows the French text (``content_lang``).

The strings are gettext message catalogs: ``kb/web/locale/<lang>/LC_MESSAGES/messages.po``, one per
language of ``LANGS`` (French, English, then whichever catalogs the folder holds), updated from ``kb/web/locale/messages.pot`` by ``make messages`` (Babel extracts the
``t("key")``, ``_("key")`` and ``N_("key")`` calls of the code and templates, see ``babel.cfg``). Message
ids are stable keys (``search_label``); the English catalog holds the English text, which ``make messages``
also writes beside each message of the template, as a note for translators (``write_template``). The
``.po`` files are read once, at first use: there is no compiled ``.mo`` and no build step. Placeholders
are ``str.format`` fields, ``{date}``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only lang_of's annotation: the CLI prints these strings without the web stack
    from fastapi import Request

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
CONTENT_LANGS = ("fr", "en")  # the languages of the records and the framework


def interface_languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """French and English, then every other language with a catalog in ``locale_dir``: adding a
    catalog adds the language to the app's ``?lang=`` and its language links."""
    found = sorted(p.parents[1].name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return CONTENT_LANGS + tuple(lang for lang in found if lang not in CONTENT_LANGS)


LANGS = interface_languages()


def content_lang(lang: str) -> str:
    """The language a page in ``lang`` shows the records in: its own, else French (the guide's)."""
    return lang if lang in CONTENT_LANGS else "fr"


def other_content_lang(lang: str) -> str:
    """The content language a page in ``lang`` offers beside its own (a practice's other summary)."""
    return "fr" if content_lang(lang) == "en" else "en"


def N_(key: str) -> str:  # noqa: N802 - the gettext convention: marks a message id for extraction only
    return key


# Keys that the code and templates build or choose at run time: listed here so that Babel's extraction,
# which reads only literal t("key") calls, still finds every message id of the catalogs.
RUNTIME_KEYS = (
    N_("recent_added"), N_("recent_updated"),  # home.html: t('recent_' ~ c.kind)
    N_("facet_theme"), N_("facet_success_factor"), N_("facet_dimension"), N_("facet_target_group"),
    N_("facet_sector"), N_("facet_actor_type"), N_("facet_kind"),  # _facet_list.html: t('facet_' ~ facet)
    N_("relevance"), N_("date"),  # search.html: t(s), the sort orders
    N_("strong"), N_("developing"), N_("weak"),  # grid.html: t(report.level), t(d.level)
    N_("newly_done"), N_("no_longer"), N_("newly_open"),  # results.html: t(key), the progress lists
    N_("book_howto_1"), N_("book_howto_2"), N_("book_howto_3"), N_("book_howto_4"),
    N_("book_howto_5"),  # book/_howto.html: t(key)
    N_("kind_practice"), N_("kind_reference"),  # pages.py: the kind facet's values
    N_("practice"),  # feed.py: translator(lang)("practice" if ... else "reference")
    N_("compare_choose"),  # pages.py: translator(lang)("compare_choose")
    N_("team_too_many_parts"),  # team_pages.py: t(...) inside an f-string
    N_("language_name"),  # language_name(lang): each catalog names its own language
)


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    """{lang: {message id: text}}, read from the ``.po`` catalogs of ``LANGS``."""
    from babel.messages.pofile import read_po

    out: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
            catalog = read_po(f, locale=lang, domain=DOMAIN)
        out[lang] = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    return out


ENGLISH_NOTE = "English: "


def write_template(extracted: Path, template: Path = LOCALE_DIR / f"{DOMAIN}.pot") -> None:
    """The template of the messages Babel ``extracted`` (a file, removed after), with each message's
    English text as an extracted comment (``#. English: ...``), which ``pybabel update`` copies into
    every catalog and PO editors show beside the message: a translator sees what ``search_label`` says,
    not only its key. The template is left as it is when only its creation date would change
    (``make messages``)."""
    import io
    import re

    from babel.messages.pofile import read_po, write_po

    english = catalogs.__wrapped__()["en"]
    with extracted.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            message.auto_comments = [ENGLISH_NOTE + english[message.id]] if message.id in english else []
    out = io.BytesIO()
    write_po(out, catalog, no_location=True, sort_output=True)
    undated = lambda text: re.sub(rb'"POT-Creation-Date: [^"]*"\n', b"", text)  # noqa: E731
    if not template.exists() or undated(template.read_bytes()) != undated(out.getvalue()):
        template.write_bytes(out.getvalue())
    extracted.unlink()


def language_name(lang: str) -> str:
    """The language's name in itself (``Français``, ``English``), from its catalog."""
    return catalogs().get(lang, {}).get("language_name", lang)


def switch_links(lang: str, url) -> list[tuple[str, str, str]]:
    """(code, name, address) of every interface language but ``lang``; ``url(code)`` gives the address."""
    return [(code, language_name(code), url(code)) for code in LANGS if code != lang]


def lang_of(request: Request) -> str:
    """?lang= first (remembered in a cookie), then the cookie, then French."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "fr"
    return lang if lang in LANGS else "fr"


def translator(lang: str):
    """t(key, **fmt) -> the interface string in ``lang``."""
    strings = catalogs().get(lang, {})

    def t(key: str, **fmt) -> str:
        text = strings.get(key) or key
        return text.format(**fmt) if fmt else text

    return t


@lru_cache(maxsize=None)
def gettext_callables(lang: str) -> dict:
    """``gettext`` and ``ngettext`` in ``lang`` for Jinja2's i18n extension, which ``_("key")`` and
    ``{% trans %}`` call: passed with each page's context, over the environment's null translations.
    They follow Jinja2's new-style gettext: the variables given fill ``%(name)s`` placeholders, as
    ``{% trans %}`` writes them (``t`` fills ``{name}`` ones)."""
    from jinja2 import pass_context
    from markupsafe import Markup

    strings = catalogs().get(lang, {})

    def _finish(context, text: str, variables: dict) -> str:
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def gettext(context, message: str, **variables) -> str:
        return _finish(context, strings.get(message) or message, variables)

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        key = singular if num == 1 else plural
        return _finish(context, strings.get(key) or key, variables)

    return {"gettext": gettext, "ngettext": ngettext}


def install_i18n(env) -> None:
    """Jinja2's i18n extension on ``env``, new-style, with null translations until a page passes its
    language's ``gettext_callables``."""
    env.add_extension("jinja2.ext.i18n")
    env.install_null_translations(newstyle=True)
