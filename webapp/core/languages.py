"""The site's languages, defined once. Plain Python, no Flask: the content loaders and the
symptom checker's core import it as well as the web layer."""

from __future__ import annotations

from typing import Literal

Lang = Literal["nb", "en"]  # the same codes as LANGUAGES, for type checkers
LANGUAGES: tuple[Lang, ...] = ("nb", "en")
DEFAULT_LANGUAGE: Lang = "nb"
