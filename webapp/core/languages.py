"""The site's languages, defined once. Plain Python, no Flask: the content loaders and the
symptom checker's core import it as well as the web layer.

Adding a language (docs/languages.md): one line in TABLE below, a
gettext catalogue in translations/<code>/, the content texts in content/<code>/ (`python -m
webapp.core.translation skeleton <code>` writes the files to fill in) and its review state in
translations/<code>/review.toml. The tests fail until every one of them is complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["nb", "nn", "en", "pl", "uk", "ar"]  # the same codes as LANGUAGES, for type checkers


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # the language's name in itself, for the language menu
    # "full": every page is written in the language (articles and programmes included).
    # "core": the symptom checker, care cards, emergency boxes, the site's own words and the
    # programmes' safety and stop rules; the rest is shown in the first `fallback` language,
    # with one line in this language saying so.
    scope: Literal["full", "core"] = "full"
    fallback: tuple[str, ...] = ()  # where a missing text comes from, in order
    direction: Literal["ltr", "rtl"] = "ltr"
    # True for the languages the team writes in (nb, en); the others are translations of them
    # and carry a review state (translations/<code>/review.toml).
    written: bool = False
    locale: str = ""  # BCP 47 tag for dates and numbers in the browser (the diary's dates)


TABLE: tuple[Language, ...] = (
    Language("nb", "Norsk bokmål", written=True, locale="nb-NO"),
    Language("nn", "Norsk nynorsk", fallback=("nb",), locale="nn-NO"),
    Language("en", "English", written=True, locale="en-GB"),
    Language("pl", "Polski", scope="core", fallback=("en", "nb"), locale="pl-PL"),
    Language("uk", "Українська", scope="core", fallback=("en", "nb"), locale="uk-UA"),
    Language("ar", "العربية", scope="core", fallback=("en", "nb"), direction="rtl", locale="ar"),
)
BY_CODE: dict[str, Language] = {language.code: language for language in TABLE}
LANGUAGES: tuple[Lang, ...] = tuple(language.code for language in TABLE)  # type: ignore[misc]
DEFAULT_LANGUAGE: Lang = "nb"
# The languages the content is written in; every other language is an overlay on these.
WRITTEN: tuple[str, ...] = tuple(language.code for language in TABLE if language.written)


def fallbacks(lang: str) -> tuple[str, ...]:
    """The language itself, then where its missing texts come from."""
    return (lang, *BY_CODE[lang].fallback)
