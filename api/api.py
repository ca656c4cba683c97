"""The REST API, /api/v1/ (django-ninja); OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Thin: every endpoint loads through the same access helpers and calls the same actions as the
pages, so the API has exactly the UI's rules. Errors are JSON `{"detail": ..., "field"?: ...}`.
"""

from ninja import NinjaAPI

from api.auth import SessionAuth, TokenAuth
from api.docs import LocalSwagger
from api.errors import install_handlers

api = NinjaAPI(
    title="Brygga API",
    version="1.0.0",
    description=(
        "Case management for adults who isolate themselves at home. Authenticate with a personal "
        "token (`Authorization: Bearer <token>`, created at /api-nycklar/) or, for the UI's own "
        "calls, the session cookie with a CSRF token. A token's scope is chosen when it is "
        "created: a read-only token may use GET, HEAD and OPTIONS only (any other method gives "
        "403 saying the token is read-only); a read-and-write token may do what its owner's roles "
        "allow. Need-to-know is the UI's: a person you may "
        "not know exists gives 404; a person outside your cases gives 403 with "
        '`"reason_required": true` until you give a reason (POST /people/{id}/reason).'
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=LocalSwagger(),
)
install_handlers(api)

from api import (  # noqa: E402
    decisions,
    groups,
    intakes,
    jobs,
    notes,
    orders,
    people,
    plans,
    reports,
    responses,
)

api.add_router("/people", people.router)
api.add_router("/intakes", intakes.router)
api.add_router("/orders", orders.router)
api.add_router("", decisions.router)
api.add_router("", plans.router)
api.add_router("", notes.router)
api.add_router("", groups.router)
api.add_router("", responses.router)
api.add_router("", reports.router)
api.add_router("", jobs.router)
