"""URL builders for the retention rows of tests/test_role_matrix.py."""

from __future__ import annotations

import datetime


def _extract(ctx):
    from retention.models import RegisterExtract

    if "extract" not in ctx:
        from tests.factories import UserFactory

        ctx["extract"] = RegisterExtract.objects.create(
            person=ctx["person"],
            requested_by="person",
            requested_on=datetime.date(2026, 3, 2),
            produced_by=UserFactory(),
        )
    return ctx["extract"]


def person_url(suffix=""):
    return lambda ctx: f"/registerutdrag/person/{ctx['person'].pk}/{suffix}"


def extract_url(name):
    return lambda ctx: f"/registerutdrag/{_extract(ctx).pk}/{name}"


def withdraw_url(ctx):
    # A fresh exception for every request, since withdrawing one is part of the matrix.
    from retention.models import RetentionException

    exception = RetentionException.objects.create(
        case=ctx["person"].cases.first(), reason="Matrisen", created_by=ctx["coordinator"]
    )
    return f"/registerutdrag/undantag/{exception.pk}/aterkalla/"


def retention_page(ctx):
    from tests.test_role_matrix import Redirect

    return Redirect(f"/registerutdrag/person/{ctx['person'].pk}/")
