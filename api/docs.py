"""Swagger UI served from ninja's own copies of its files: the docs page needs no CDN."""

from __future__ import annotations

import json
from pathlib import Path

import ninja
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from ninja.openapi.docs import Swagger

ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
ALLOWED = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}


class LocalSwagger(Swagger):
    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "asset_base": reverse("api_tokens:docs_asset", args=["x"])[:-1],
        }
        return render(request, "api/swagger.html", context)


@cache_control(max_age=86400, public=True)
def docs_asset(request, name: str):
    if name not in ALLOWED:
        raise Http404
    return FileResponse((ASSETS / name).open("rb"))
