"""Every page that shows a person's data writes its access-log entry, as every user who reaches it.

Driven by the role matrix (`tests/test_role_matrix.py`): each route that shows a person's record
(the routes that ask a colleague outside the case for a reason) is opened by every standard user
the matrix lets in, and the entry must be there, naming the user and the person. A colleague who
gave a reason opens it too, and the entry carries that reason.
"""

from __future__ import annotations

from django.test import Client

from audit.models import AccessLogEntry, Action
from people.access import grant_reasoned_access
from tests.test_role_matrix import MATRIX, OK, REASON, USERS, resolve_expected

REASON_GIVEN = "Vikarierar för ordinarie samordnare i dag."


def person_routes():
    """GET routes about `person` that need-to-know guards: a colleague must give a reason."""
    return sorted(
        key
        for key, (method, _url, _data, expected) in MATRIX.items()
        if method == "get" and REASON in (expected["colleague"], expected["outsider_officer"])
    )


def _reads(user, person):
    return AccessLogEntry.objects.filter(
        user=user, person_id=person.pk, action__in=[Action.READ, Action.EXPORT]
    )


def test_there_are_person_routes_to_check():
    assert len(person_routes()) > 40


def test_every_person_page_logs_its_read(db, person, coordinator, role_users):
    ctx = {"person": person, "coordinator": coordinator}
    missing = []
    for key in person_routes():
        _method, build_url, _data, expected_by_user = MATRIX[key]
        for name in USERS[1:]:
            if resolve_expected(expected_by_user[name], ctx) != OK:
                continue
            user = role_users[name]
            client = Client()
            client.force_login(user, backend="organisation.auth.BryggaModelBackend")
            before = _reads(user, person).count()
            response = client.get(build_url(ctx))
            assert response.status_code == 200, (key, name, response.status_code)
            if _reads(user, person).count() == before:
                missing.append(f"{key} as {name}")
    assert not missing, "pages that showed a person without logging it:\n" + "\n".join(missing)


def test_a_read_outside_ones_cases_carries_the_reason(db, person, coordinator, colleague):
    ctx = {"person": person, "coordinator": coordinator}
    grant_reasoned_access(user=colleague, person=person, reason=REASON_GIVEN)
    client = Client()
    client.force_login(colleague, backend="organisation.auth.BryggaModelBackend")
    wrong = []
    for key in person_routes():
        _method, build_url, _data, expected_by_user = MATRIX[key]
        if expected_by_user["colleague"] != REASON:
            continue
        since = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(build_url(ctx))
        if response.status_code != 200:
            continue  # a change the reason does not allow (403): nothing was shown
        reads = _reads(colleague, person).filter(id__gt=since)
        if not reads.exists():
            wrong.append(f"{key}: no entry")
        elif reads.exclude(reason=REASON_GIVEN).exists():
            wrong.append(f"{key}: an entry without the reason")
    assert not wrong, "\n".join(wrong)


def test_group_pages_log_each_participant_they_name(db, person, coordinator):
    """Group pages are the team's, not a person's, but they name their participants."""
    from groups.models import GroupParticipant
    from tests.test_role_matrix import _group_objects

    ctx = _group_objects({"person": person, "coordinator": coordinator})
    GroupParticipant.objects.create(group=ctx["group"], person=person, added_by=coordinator)
    client = Client()
    client.force_login(coordinator, backend="organisation.auth.BryggaModelBackend")
    named = []
    for url in (
        f"/grupper/{ctx['group'].pk}/",
        f"/grupper/{ctx['group'].pk}/deltagare/",
        f"/grupper/tillfalle/{ctx['session'].pk}/",
    ):
        before = _reads(coordinator, person).count()
        response = client.get(url)
        assert response.status_code == 200
        if person.last_name in response.content.decode():
            named.append(url)
            assert _reads(coordinator, person).count() > before, url
    assert len(named) >= 2, "the participants and session pages name the participant"
