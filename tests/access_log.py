"""Who read whom, as the access log answers it: a person's own entries and the lists that named
them (one entry per list, its people in AccessLogSubject rows; docs/access-log.md)."""

from __future__ import annotations

from audit.models import AccessLogEntry


def reads_of(person, user=None, **filters):
    """The access-log entries about `person` (a Person or its id), by `user` when given, further
    filtered by field values (action=..., record_type=...)."""
    found = AccessLogEntry.objects.about([getattr(person, "pk", person)])
    if user is not None:
        found = found.filter(user=user)
    return found.filter(**filters)


def was_read(person, user=None, **filters) -> bool:
    """Was `person` read (or found, or changed: any entry) by `user`, through any page?"""
    return reads_of(person, user, **filters).exists()
