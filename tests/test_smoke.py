from audit.models import AccessLogEntry


def test_coordinator_opens_assigned_person_and_the_read_is_logged(login, coordinator, person):
    response = login(coordinator).get(f"/personer/{person.pk}/")
    assert response.status_code == 200
    assert "Elin Fiktiv" in response.content.decode()
    entry = AccessLogEntry.objects.get(person_id=person.pk, action="read")
    assert entry.user == coordinator
