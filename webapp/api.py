"""The symptom checker's JSON API (contract: docs/triage-api.md), and its OpenAPI document."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from flask_babel import force_locale

from .checker import ANSWERS, OUTCOME_TEXT, checker, count_outcome
from .i18n import LANGUAGES
from .triage import InputError, Result

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _error(status: int, message: str, fields: dict[str, str]) -> Response:
    response = jsonify(error=message, fields=fields)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


class Texts:
    """What a result's JSON shows besides the rules' own texts, per language, built once at
    start-up (titles, links, condition pages): a check then costs the engine and little else."""

    def __init__(self, app: Flask) -> None:
        library, checker_ = app.extensions["library"], app.extensions["checker"]
        self.outcome: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self.links: dict[str, dict[str, str]] = {}
        self.program: dict[tuple[str, str], str] = {}
        self.condition: dict[tuple[str, str], dict[str, str]] = {}
        with app.test_request_context():
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
                    self.program[(lang, key)] = app.jinja_env.globals["program_url"](key, lang)
                for key in checker_.vocabulary.conditions:
                    a = library.get(lang, key)
                    url = url_for("library.article", lang=lang, slug=a.slug)
                    self.condition[(lang, key)] = {"slug": a.slug, "title": a.title, "url": url}


def result_json(result: Result, lang: str) -> dict:
    """The contract's response body for a result, texts in `lang`."""
    texts: Texts = current_app.extensions["api_texts"]
    title, advice = texts.outcome[(lang, result.outcome, result.urgency)]
    links = dict(texts.links[lang])
    if result.program:
        links["program"] = texts.program[(lang, result.program)]
    return {
        "outcome": result.outcome,
        "urgency": result.urgency,
        "title": title,
        "advice": advice,
        "reasons": [{"id": r.id, "text": r.text[lang], "source": r.source} for r in result.reasons],
        "conditions": [texts.condition[(lang, key)] for key in result.conditions],
        "links": links,
        "not_answered": list(result.not_answered),
    }


@bp.post("/triage")
def triage() -> Response:
    if request.mimetype != "application/json":
        return _error(
            415, "The body must be JSON (Content-Type: application/json).", {"body": "not JSON"}
        )
    body = request.get_data(cache=False)  # a body over 64 KiB raises 413 here
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(415, "The body is not valid JSON.", {"body": "not valid JSON"})
    try:
        inp = checker().parse(payload)
    except InputError as exc:
        return _error(422, exc.message, exc.fields)
    result = checker().evaluate(inp)
    count_outcome(result.outcome)
    body = json.dumps(result_json(result, inp.lang), ensure_ascii=False, separators=(",", ":"))
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"})


@bp.get("/triage/questions")
def questions() -> Response:
    """The questionnaire as data: what a client must ask, in both languages."""
    c = checker()
    return jsonify(
        questions=[
            {
                "id": q.id,
                "group": q.group,
                "required": q.required,
                "text": q.text,
                "help": q.help,
                "sign": q.sign if q.group == "emergency" else None,
            }
            for q in c.questions
        ],
        regions=[{"id": r.id, "view": r.view, "label": r.label} for r in c.regions],
        answers=list(ANSWERS),
        outcomes=["urgent", "clinic", "selfcare"],
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
                "required": [q.id for q in c.questions if q.required],
                "properties": {q.id: answer for q in c.questions},
            },
            "lang": {"type": "string", "enum": ["nb", "en"]},
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
            "outcome": {"type": "string", "enum": ["urgent", "clinic", "selfcare"]},
            "urgency": {"type": ["string", "null"], "enum": ["emergency", "soon", None]},
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
            ("413", "The body is larger than 64 KiB."),
            ("415", "The body is not JSON."),
            ("422", "A field is missing, unknown or not valid; `fields` names each one."),
        )
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Symptom checker for foot and back pain",
            "version": "1.0.0",
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
    app.register_blueprint(bp)
    app.extensions["api_texts"] = Texts(app)
