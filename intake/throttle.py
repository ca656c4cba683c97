"""A rate limit for the public form, counted in the database (no process keeps state).

A client is known by a salted hash of its address only; rows older than the window are removed
whenever a new one is written, so the table holds at most an hour of hashes.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
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


def take(key: str) -> bool:
    """Count one submission against the limit; False, with nothing recorded, when over it.

    Checking and recording are one step: a burst of simultaneous posts from one address cannot
    all pass a check that none of them has recorded yet. The submission is written first and then
    counted, in one transaction, after a lock per client: on PostgreSQL an advisory lock on the
    key; on SQLite the write itself, which holds the database's single write lock to the end.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])
        now = timezone.now()
        WebSubmission.objects.create(client_key=key, at=now)
        WebSubmission.objects.filter(at__lt=now - WINDOW).delete()
        count = WebSubmission.objects.filter(client_key=key, at__gte=now - WINDOW).count()
        if count > settings.BRYGGA_WEB_INTAKE_PER_HOUR:
            transaction.set_rollback(True)
            return False
    return True
