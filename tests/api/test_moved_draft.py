"""Issue 20: a draft stays its author's to sign after the person's case moved to another
coordinator, in the API as on the pages."""

from __future__ import annotations

import datetime

from delivery import actions as delivery
from provision import actions as provision


def test_the_leaver_signs_their_draft_after_the_case_moved(
    api_as, person, coordinator, colleague, manager
):
    draft = delivery.create_note(
        user=coordinator, person=person, happened_on=datetime.date(2026, 3, 2), text="Utkast."
    )
    provision.reassign(user=manager, from_user=coordinator, to_user=colleague)
    # Someone else's draft on the moved person is not the new coordinator's to see.
    assert api_as(colleague).get(f"/notes/{draft.pk}").status_code == 404
    api = api_as(coordinator)

    read = api.get(f"/notes/{draft.pk}")
    assert read.status_code == 200
    response = api.post(f"/notes/{draft.pk}/sign", {"version": read.json()["version"]})

    assert response.status_code == 200 and response.json()["signed"]
