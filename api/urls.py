"""The user's API token page, and the docs page's own copies of Swagger UI's files."""

from django.urls import path

from api import docs, views

app_name = "api_tokens"

urlpatterns = [
    path("api-nycklar/", views.token_list, name="list"),
    path("api-nycklar/<uuid:pk>/aterkalla/", views.token_revoke, name="revoke"),
    path("api/v1/docs-assets/<str:name>", docs.docs_asset, name="docs_asset"),
]
