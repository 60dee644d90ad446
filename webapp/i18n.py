"""Languages in the URL (/nb/…, /nn/…, /en/…), Flask-Babel locale selection and language
alternates. The languages are defined in webapp/core/languages.py; the clinic may switch some
off (`languages_off` in clinic.toml): their URLs answer 404 and no page links to them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, has_request_context, request, url_for
from flask_babel import Babel, gettext
from markupsafe import Markup

from .core.languages import BY_CODE, DEFAULT_LANGUAGE, LANGUAGES
from .core.translation import load_reviews
from .sitemap import site_root

# Accept-Language primary tags that mean Bokmål: "no" is Norwegian without saying which.
_BOKMAL = {"nb", "no"}
LANGUAGE_NAMES = {code: language.name for code, language in BY_CODE.items()}


def enabled_languages() -> tuple[str, ...]:
    """The languages this site serves (all but those the clinic switched off)."""
    return tuple(current_app.config["LANGUAGES"])


def _path_in(lang: str, paths: dict[str, str]) -> str:
    """A language without its own path uses its fallback language's, with its own prefix:
    /nn/… from /nb/…, /pl/… from /en/…."""
    if lang in paths:
        return paths[lang]
    source = next(code for code in BY_CODE[lang].fallback if code in paths)
    return f"/{lang}/" + paths[source].removeprefix(f"/{source}/")


def localized_route(
    bp: Blueprint, paths: dict[str, str], endpoint: str | None = None, **options: Any
) -> Callable:
    """Register one view under a path per language; the view gets `lang` as an argument.

    `url_for(endpoint, lang="en", …)` then builds the English path, because werkzeug only
    uses a rule for building when its defaults match the given values.
    """

    def decorator(view: Callable) -> Callable:
        for lang in LANGUAGES:
            bp.add_url_rule(
                _path_in(lang, paths),
                endpoint or view.__name__,
                view,
                defaults={"lang": lang},
                **options,
            )
        return view

    return decorator


def language_from_accept_header() -> str:
    """The best of our languages for the browser's Accept-Language header (fallback nb)."""
    enabled = enabled_languages()
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].split("_")[0].lower()
        if primary in _BOKMAL:
            return "nb"
        if primary in enabled:
            return primary
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The page's language: from the URL, else from the path prefix, else nb."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    enabled = enabled_languages()
    lang = (request.view_args or {}).get("lang")
    if lang in enabled:
        return lang
    first = request.path.strip("/").split("/")[0]
    if first in enabled:
        return first
    return DEFAULT_LANGUAGE


def alternate_urls(external: bool = False) -> dict[str, str]:
    """This page in every language, for the language switch and hreflang links.

    A view whose URL differs by more than the language (e.g. a translated slug) sets
    `g.alternates` itself.
    """
    alternates = getattr(g, "alternates", None)
    if alternates is None:
        view_args = dict(request.view_args or {})
        if request.endpoint is None or "lang" not in view_args:
            return {}
        alternates = {
            lang: url_for(request.endpoint, **{**view_args, "lang": lang})
            for lang in enabled_languages()
        }
    enabled = enabled_languages()
    alternates = {lang: url for lang, url in alternates.items() if lang in enabled}
    if external:
        root = site_root()
        return {lang: root + url for lang, url in alternates.items()}
    return alternates


# Runs of digits with spaces, as phone numbers are written ("116 117", "62 80 90 30").
_NUMBER_RUN = re.compile(r"(?<![\d\u2066])\d+(?: \d+)+(?![\d\u2069])")
_TAG = re.compile(r"(<[^>]*>)")


def whole_numbers(value: Any) -> Any:
    """Jinja's `finalize`: a phone number in any printed text (a translated sentence, a content
    text, the clinic's number) never breaks across lines (no-break spaces), so a long button
    can wrap at its words. In right-to-left text the bidi algorithm would also show the groups
    in reverse order ("117 116"): there a left-to-right isolate (U+2066 … U+2069) keeps the
    number as it is dialled. In markup (translated sentences are Markup too) only the text
    between tags changes, never an attribute such as a drawing's path data."""
    if not isinstance(value, str) or not _NUMBER_RUN.search(value) or not has_request_context():
        return value
    rtl = BY_CODE[current_language()].direction == "rtl"

    def whole(match: re.Match[str]) -> str:
        number = match.group(0).replace(" ", "\u00a0")
        return f"\u2066{number}\u2069" if rtl else number

    if not isinstance(value, Markup):
        return _NUMBER_RUN.sub(whole, value)
    parts = _TAG.split(str(value))  # text, tag, text, tag, …
    text = "".join(p if i % 2 else _NUMBER_RUN.sub(whole, p) for i, p in enumerate(parts))
    return Markup(text)  # noqa: S704 - the same markup, with characters added to its text


def translation_note() -> str:
    """One calm line on every page of a translated language nobody qualified has checked."""
    review = current_app.extensions["translation_reviews"].get(current_language())
    if review is None or review.reviewed:
        return ""
    return gettext("This page is machine-translated and not yet checked by a qualified translator.")


def borrowed_attrs(direction: bool = True) -> Markup:
    """` lang="en" dir="ltr"`: the attributes of an element whose text the page's language shows
    in its fallback language, not yet translated (WCAG 3.1.2). `direction=False` gives the
    language only: for an attribute's text (an aria-label) on a box whose layout must keep the
    page's direction."""
    fallback = BY_CODE[current_language()].fallback
    if not fallback:
        return Markup("")
    other = BY_CODE[fallback[0]]
    attrs = f' lang="{other.code}"' + (f' dir="{other.direction}"' if direction else "")
    return Markup(attrs)  # noqa: S704 - language codes


def lang_attrs(texts: dict[str, str]) -> Markup:
    """borrowed_attrs() when a {lang: text} table gives this language its fallback's text."""
    language = BY_CODE[current_language()]
    if language.written or not language.fallback:
        return Markup("")
    if texts.get(language.code) != texts.get(language.fallback[0]):
        return Markup("")
    return borrowed_attrs()


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=current_language)
    app.extensions["translation_reviews"] = load_reviews(
        Path(app.config["CONTENT_DIR"]), Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    )
    app.jinja_env.finalize = whole_numbers
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        LANGUAGE=BY_CODE,
        enabled_languages=enabled_languages,
        lang_attrs=lang_attrs,
        borrowed_attrs=borrowed_attrs,
        alternate_urls=alternate_urls,
    )

    @app.url_value_preprocessor
    def refuse_languages_switched_off(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if values and "lang" in values and values["lang"] not in enabled_languages():
            abort(404)

    @app.context_processor
    def inject_language() -> dict[str, Any]:
        lang = current_language()
        return {"lang": lang, "language": BY_CODE[lang], "translation_note": translation_note()}
