"""Languages in the URL (/nb/…, /en/…), Flask-Babel locale selection and language alternates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, g, request, url_for
from flask_babel import Babel

from .core.languages import DEFAULT_LANGUAGE, LANGUAGES
from .sitemap import site_root

# Accept-Language primary tags that mean Norwegian: Bokmål, Nynorsk and plain "no".
_NORWEGIAN = {"nb", "no", "nn"}
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "en": "English"}


def localized_route(
    bp: Blueprint, paths: dict[str, str], endpoint: str | None = None, **options: Any
) -> Callable:
    """Register one view under a path per language; the view gets `lang` as an argument.

    `url_for(endpoint, lang="en", …)` then builds the English path, because werkzeug only
    uses a rule for building when its defaults match the given values.
    """

    def decorator(view: Callable) -> Callable:
        for lang, path in paths.items():
            bp.add_url_rule(
                path, endpoint or view.__name__, view, defaults={"lang": lang}, **options
            )
        return view

    return decorator


def language_from_accept_header() -> str:
    """The best of our languages for the browser's Accept-Language header (fallback nb)."""
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].split("_")[0].lower()
        if primary in _NORWEGIAN:
            return "nb"
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The page's language: from the URL, else from the path prefix, else nb."""
    if not request:
        return DEFAULT_LANGUAGE
    lang = (request.view_args or {}).get("lang")
    if lang in LANGUAGES:
        return lang
    first = request.path.strip("/").split("/")[0]
    if first in LANGUAGES:
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
            lang: url_for(request.endpoint, **{**view_args, "lang": lang}) for lang in LANGUAGES
        }
    if external:
        root = site_root()
        return {lang: root + url for lang, url in alternates.items()}
    return alternates


def other_languages() -> Iterable[str]:
    lang = current_language()
    return [code for code in LANGUAGES if code != lang]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=current_language)
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        LANGUAGES=LANGUAGES,
        alternate_urls=alternate_urls,
        other_languages=other_languages,
    )

    @app.context_processor
    def inject_language() -> dict[str, Any]:
        return {"lang": current_language()}
