"""The symptom checker's JSON API: the check, the questionnaire, and an OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale
from werkzeug.exceptions import HTTPException

from .checker_flow import ANSWERS, OUTCOME_TEXT, checker, count_outcome, finding_text
from .core.languages import LANGUAGES
from .core.triage import OUTCOMES, Checker, InputError, Result
from .i18n import enabled_languages
from .programs import program_url
from .sitemap import startup_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class Texts:
    """What a result's JSON shows besides the rules' own texts, per language, built once at
    start-up (titles, links, condition pages): a check then costs the engine and little else."""

    def __init__(self, app: Flask) -> None:
        library, checker_ = app.extensions["library"], app.extensions["checker"]
        self.outcome: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self.advice = checker_.advice
        self.links: dict[str, dict[str, str]] = {}
        self.program: dict[tuple[str, str], str] = {}
        self.condition: dict[tuple[str, str], dict[str, str]] = {}
        with app.test_request_context(base_url=startup_url(app)):
            for lang in LANGUAGES:
                with force_locale(lang):
                    for (outcome, urgency), (title, advice) in OUTCOME_TEXT.items():
                        self.outcome[(lang, outcome, urgency)] = (str(title), str(advice))
                self.links[lang] = {
                    "emergency": "tel:113",
                    "out_of_hours": "tel:116117",
                    "booking": url_for("booking.book", lang=lang),
                    "summary": url_for("checker.flow", lang=lang),
                }
                for key in checker_.vocabulary.programs:
                    self.program[(lang, key)] = program_url(key, lang)
                for key in checker_.vocabulary.conditions:
                    a = library.get(lang, key)
                    url = url_for("library.article", lang=lang, slug=a.slug)
                    self.condition[(lang, key)] = {"slug": a.slug, "title": a.title, "url": url}


def result_json(result: Result, lang: str, texts: Texts) -> dict:
    """The contract's response body for a result, texts in `lang`."""
    default = texts.outcome[(lang, result.outcome, result.urgency)]
    title, advice = finding_text(result, lang, texts.advice, default)
    links = dict(texts.links[lang])
    if result.program:
        links["program"] = texts.program[(lang, result.program)]
    return {
        "outcome": result.outcome,
        "urgency": result.urgency,
        "title": title,
        "advice": advice,
        "reasons": [
            {"id": r.id, "text": r.text[lang], "source": r.source[lang]} for r in result.reasons
        ],
        "conditions": [texts.condition[(lang, key)] for key in result.conditions],
        "links": links,
        "not_answered": list(result.not_answered),
    }


class ApiError(HTTPException):
    """An error the contract names: the status, a sentence, and the fields that are wrong."""

    def __init__(self, code: int, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.code, self.fields = code, fields


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    response = json_response({"error": error.description, "fields": error.fields})
    response.status_code = error.code or 400
    return response


def json_response(data: dict) -> Response:
    response = Response(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"  # an answer about one person's pain
    return response


def read_body(environ: dict, length: int | None, limit: int) -> bytes:
    """The request body, refusing one over `limit` bytes with a 413, chunked ones included.

    A chunked body has no Content-Length; werkzeug then cuts the stream at the limit and
    returns what it read, so a longer body would pass as a shorter one. Read one byte more
    than the limit from the server's stream instead, and refuse if it is there. (Read from the
    WSGI stream directly: werkzeug's wrapped streams cost more than the check itself.)"""
    stream = environ["wsgi.input"]
    if length is not None:
        if length > limit:
            raise ApiError(413, f"The body is larger than {limit} bytes.", {"body": "too large"})
        return stream.read(length) if length else b""
    if not environ.get("wsgi.input_terminated"):
        return b""  # no length and a server that does not end the stream: nothing safe to read
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise ApiError(413, f"The body is larger than {limit} bytes.", {"body": "too large"})
    return raw


@bp.post("/triage")
def triage() -> Response:
    """The check: JSON in, the contract's result out. Errors follow the contract: 413 for a
    body over MAX_CONTENT_LENGTH, 415 for one that is not JSON, 422 with every bad field named
    (405 with Allow for another method comes from Flask)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if request.mimetype != "application/json":
        raise ApiError(415, "The body must be JSON (Content-Type: application/json).",
                       {"body": "not JSON"})  # fmt: skip
    raw = read_body(request.environ, request.content_length, app.config["MAX_CONTENT_LENGTH"])
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(415, "The body is not valid JSON.", {"body": "not valid JSON"}) from None
    except RecursionError:
        raise ApiError(
            422, "The body is nested too deeply.", {"body": "nested too deeply"}
        ) from None
    c: Checker = app.extensions["checker"]
    try:
        inp = c.parse(payload)
    except InputError as exc:
        raise ApiError(422, exc.message, exc.fields) from None
    result = c.evaluate(inp)
    count_outcome(result.outcome)
    return json_response(result_json(result, inp.lang, app.extensions["api_texts"]))


def plain(value: object) -> object:
    """A read-only TOML value (mappingproxy, tuple) as plain JSON data."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value


APPLIES_HELP = (
    "When a question applies: null = always. Otherwise an object whose keys must all hold: "
    "age_between [low, high] (whole years, both included); regions_any [ids] (at least one of "
    "these pain_areas is given); duration_weeks_at_least n; answer {question_id: [answers]} "
    "(that question was answered with one of these); any [objects] (at least one holds). "
    "A required question must be answered when it applies; others may be left out."
)


@bp.get("/triage/questions")
def questions() -> Response:
    """The questionnaire as data: what a client must ask and when, in both languages."""
    c = checker()
    return jsonify(
        applies_help=APPLIES_HELP,
        questions=[
            {
                "id": q.id,
                "group": q.group,
                "required": q.required,
                "applies": plain(q.applies) or None,
                "text": q.text,
                "help": q.help,
                "sign": q.sign if q.sign["nb"] else None,
            }
            for q in c.questions
        ],
        regions=[{"id": r.id, "view": r.view, "label": r.label} for r in c.regions],
        answers=list(ANSWERS),
        outcomes=list(reversed(OUTCOMES)),
    )


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


def openapi_document() -> dict:
    """OpenAPI 3.1 for the API, with the question and region ids taken from the rule data."""
    c = checker()
    answer = {"type": "string", "enum": list(ANSWERS)}
    error = {
        "type": "object",
        "required": ["error", "fields"],
        "properties": {
            "error": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    request_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["age", "duration_weeks", "pain_areas", "answers"],
        "properties": {
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
            "duration_weeks": {"type": "number", "minimum": 0, "maximum": 1040},
            "pain_areas": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "enum": [r.id for r in c.regions]},
            },
            "answers": {
                "type": "object",
                "additionalProperties": False,
                # The emergency questions always; red-flag and scope questions where they apply
                # (GET /api/v1/triage/questions says when): a 422 names any that is missing.
                "required": [q.id for q in c.questions if q.required and not q.applies],
                "properties": {q.id: answer for q in c.questions},
            },
            "lang": {"type": "string", "enum": list(enabled_languages())},
        },
    }
    result_schema = {
        "type": "object",
        "required": [
            "outcome",
            "urgency",
            "title",
            "advice",
            "reasons",
            "conditions",
            "links",
            "not_answered",
        ],  # fmt: skip
        "properties": {
            "outcome": {"type": "string", "enum": list(reversed(OUTCOMES))},
            "urgency": {"type": ["string", "null"], "enum": ["emergency", "today", "soon", None]},
            "title": {"type": "string"},
            "advice": {"type": "string"},
            "reasons": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["id", "text", "source"],
                    "properties": {k: {"type": "string"} for k in ("id", "text", "source")},
                },
            },
            "conditions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["slug", "title", "url"],
                    "properties": {k: {"type": "string"} for k in ("slug", "title", "url")},
                },
            },
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
            "not_answered": {"type": "array", "items": {"type": "string"}},
        },
    }
    errors = {
        code: {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code, text in (
            ("405", "Another method than POST; the Allow header names POST."),
            ("413", "The body is larger than the server's limit (64 KiB unless configured)."),
            ("415", "The body is not JSON."),
            ("422", "A field is missing, unknown or not valid; `fields` names each one."),
        )
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Symptom checker for foot and back pain",
            "version": "2.0.0",
            "description": "Guideline-based triage. Guidance, not a diagnosis. Nothing is stored.",
        },
        "paths": {
            "/api/v1/triage": {
                "post": {
                    "operationId": "triage",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Request"}}
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "The outcome, why, and what to do next.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Result"}
                                }
                            },
                        },
                        **errors,
                    },
                }
            },
            "/api/v1/triage/questions": {
                "get": {
                    "operationId": "questions",
                    "responses": {"200": {"description": "The questionnaire, in nb and en."}},
                }
            },
        },
        "components": {
            "schemas": {"Request": request_schema, "Result": result_schema, "Error": error}
        },
    }


def init_app(app: Flask) -> None:
    """Register the check, the questionnaire and the OpenAPI document (after the routes they
    link to, whose URLs the result texts hold)."""
    app.register_blueprint(bp)
    app.extensions["api_texts"] = Texts(app)
