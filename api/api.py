"""The REST API, /api/v1/ (django-ninja); OpenAPI at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(title="Brygga API", version="1.0.0", urls_namespace="api")
