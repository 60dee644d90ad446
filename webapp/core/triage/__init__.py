"""The symptom checker's domain core: plain Python, no Flask.

from webapp.core.triage import load_checker
checker = load_checker(Path("content/triage"))
result = checker.evaluate(checker.parse(request_body))
"""

from .engine import DEFAULT_CONTENT_DIR, Checker, default_checker, evaluate, load_checker
from .loader import Content, load_content
from .model import (
    ANSWER_VALUES,
    LANGS,
    LEVELS,
    OUTCOMES,
    Advice,
    ContentError,
    InputError,
    Question,
    Reason,
    Region,
    Result,
    Rule,
    TriageInput,
    Vocabulary,
    Zone,
    level,
)

__all__ = [
    "ANSWER_VALUES",
    "Advice",
    "DEFAULT_CONTENT_DIR",
    "LANGS",
    "LEVELS",
    "OUTCOMES",
    "Checker",
    "Content",
    "ContentError",
    "InputError",
    "Question",
    "Reason",
    "Region",
    "Result",
    "Rule",
    "TriageInput",
    "Vocabulary",
    "Zone",
    "default_checker",
    "evaluate",
    "level",
    "load_checker",
    "load_content",
]
