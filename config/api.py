"""The JSON API root: /api/v1/, OpenAPI at /api/v1/openapi.json. Each app adds its router."""

from ninja import NinjaAPI

from preau.core.api_auth import api_auth

api = NinjaAPI(
    title="Préau API",
    version="1",
    urls_namespace="api",
    auth=api_auth,
    docs_url="/docs",
)

from preau.directory.api import router as directory_router  # noqa: E402

api.add_router("/", directory_router)
api.add_router("/messages", "preau.messaging.api.router")
api.add_router("/documents", "preau.documents.api.router")
api.add_router("/timeline", "preau.timeline.api.router")
api.add_router("/news", "preau.news.api.router")
api.add_router("/timetable", "preau.timetable.api.router")
api.add_router("/homework", "preau.homework.api.router")
