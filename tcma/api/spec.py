"""The flask-smorest Api: OpenAPI 3.1 at /api/v1/openapi.json and the docs page."""

from __future__ import annotations

import http
from typing import Any

from flask import Blueprint, Flask, render_template
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.routing import IntegerConverter, Map

from tcma.api import schemas
from tcma.api.errors import PROBLEM_JSON

DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; object-src 'none'"
)

DESCRIPTION = """\
The tcma REST API. Authenticate with `Authorization: Bearer <token>` (create tokens under
*API tokens*). Lists are newest first and paged with an opaque `cursor`; `updated_since`
(UTC ISO 8601) gives incremental sync. Errors are `application/problem+json` (RFC 9457)
with an `errors` list naming each invalid field. Money is a decimal string with a currency.
A POST with an `Idempotency-Key` header is done once; a retry gets the first answer again.
"""


class TcmaApi(Api):
    """flask-smorest's Api without its app-wide error handler: tcma.errors formats errors
    (problem+json under /api/v1, pages elsewhere); the OpenAPI document of its blueprints is
    written when first read, not in create_app (it was ~80% of an app's start-up)."""

    _undocumented: list[tuple[Any, str, Any]]
    _responses_undocumented: bool

    def init_app(self, app: Flask, *, spec_kwargs: dict | None = None) -> None:
        self._undocumented = []
        super().init_app(app, spec_kwargs=spec_kwargs)

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """Register the blueprint's routes now and document them when the spec is read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    @property
    def spec(self) -> Any:
        """The APISpec, with every registered blueprint documented (as flask-smorest does)."""
        if getattr(self, "_responses_undocumented", False):
            self._responses_undocumented = False
            self._document_responses(self._spec)
        pending, self._undocumented = getattr(self, "_undocumented", []), []
        for blp, name, parameters in pending:
            blp.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blp.description})
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def _register_error_handlers(self) -> None:
        return None

    def _register_responses(self) -> None:
        self._responses_undocumented = True  # written with the blueprints' documentation

    def _document_responses(self, spec: Any) -> None:
        # Every error answer is documented as problem+json, which is what the API sends.
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, spec, PROBLEM_JSON)
            spec.components.response(status.name, response, lazy=True)
        default = {"description": "An error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, spec, PROBLEM_JSON)
        spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)


api = TcmaApi(spec_kwargs={"info": {"description": DESCRIPTION}})
api.ERROR_SCHEMA = schemas.ProblemSchema

docs_bp = Blueprint("api_docs_page", __name__)


@docs_bp.get("/api/v1/docs")
def docs() -> tuple[str, int, dict[str, str]]:
    """The API reference, drawn by the vendored Redoc from the OpenAPI document."""
    return render_template("api/docs.html"), 200, {"Content-Security-Policy": DOCS_CSP}


class IdConverter(IntegerConverter):
    """``<id:name>`` in API paths: a positive 32-bit id; anything else is 404, never a 500."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=schemas.MAX_ID)


def init_api(app: Flask, blueprints: tuple) -> None:
    """Bind the Api and register the areas' API blueprints and the docs page."""
    app.url_map.converters["id"] = IdConverter
    app.config.setdefault("API_TITLE", "tcma API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "security": [{"bearerAuth": []}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "tcma_…"}
                }
            },
            "servers": [{"url": "/"}],
        },
    )
    api.init_app(app)
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
