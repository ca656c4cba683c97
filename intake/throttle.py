"""A rate limit for the public form, counted in the database (no process keeps state).

A client is known by a salted hash of its address only; rows older than the window are removed
whenever a new one is written, so the table holds at most an hour of hashes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from intake.models import WebSubmission

WINDOW = timedelta(hours=1)


def client_key(request) -> str:
    header = settings.BRYGGA_CLIENT_IP_HEADER
    # Behind a proxy the last address in the header is the one the proxy itself saw.
    address = (request.META.get(header) or request.META.get("REMOTE_ADDR") or "").split(",")[-1]
    return salted_hmac("brygga.intake.web-form", address.strip(), algorithm="sha256").hexdigest()


def is_limited(key: str) -> bool:
    since = timezone.now() - WINDOW
    count = WebSubmission.objects.filter(client_key=key, at__gte=since).count()
    return count >= settings.BRYGGA_WEB_INTAKE_PER_HOUR


def record(key: str) -> None:
    now = timezone.now()
    WebSubmission.objects.filter(at__lt=now - WINDOW).delete()
    WebSubmission.objects.create(client_key=key, at=now)
