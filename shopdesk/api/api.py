"""The REST API v1: one NinjaAPI mounted at /api/v1/, one router per app."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from shopdesk.api.auth import ApiTokenAuth, SessionAuth
from shopdesk.core.api_errors import install_error_handlers
from shopdesk.customers.api import router as customers_router
from shopdesk.dispatch.api import router as dispatch_router
from shopdesk.floor.api import router as floor_router
from shopdesk.floor.api_labor import router as labor_router
from shopdesk.imports.api import router as imports_router
from shopdesk.jobs.api import router as jobs_router
from shopdesk.parts.api import router as parts_router
from shopdesk.travelers.api import router as travelers_router

DESCRIPTION = """\
The ShopDesk API: jobs, routings, floor scans, blockers, customers, parts and work centers.

Authenticate with `Authorization: Bearer <token>` (create a token on your account page or with
`manage.py apitoken USERNAME`), or with a signed-in browser session (unsafe methods then need
the `X-CSRFToken` header). A job is addressed by its number: `/api/v1/jobs/J-1042`.

Every error answers `{"detail": "...", "errors": [{"field": "...", "message": "..."}]}` with a
4xx status. Another shop's ids answer 404.
"""

api = NinjaAPI(
    title="ShopDesk API",
    version="1",
    description=DESCRIPTION,
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
    # Served from ninja's bundled static files (no CDN, no inline script), which the site's
    # strict Content-Security-Policy allows. No external validator badge either.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)
install_error_handlers(api)

api.add_router("", jobs_router)
api.add_router("", floor_router)
api.add_router("", dispatch_router)
api.add_router("", labor_router)
api.add_router("", travelers_router)
api.add_router("", customers_router)
api.add_router("", parts_router)
api.add_router("", imports_router)
