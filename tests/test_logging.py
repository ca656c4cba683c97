"""Application logs never contain personal data: query strings are stripped from log lines."""

import logging

from brygga.logging import StripQueryStrings


def test_search_query_is_stripped_from_a_request_log_line():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /personer/?q=Elin+Fiktiv HTTP/1.1", "200", "512"),
        None,
    )
    StripQueryStrings().filter(record)
    line = record.getMessage()
    assert "Elin" not in line and "Fiktiv" not in line
    assert "/personer/?…" in line


def test_person_search_leaves_no_name_or_number_in_the_application_log(
    login, coordinator, person, caplog
):
    caplog.set_level(logging.DEBUG)
    client = login(coordinator)
    client.get("/personer/", {"q": person.last_name})
    client.get("/personer/", {"q": person.personal_number})
    client.get("/nonexistent/", {"q": person.personal_number})
    # The configured console handler is what writes the application log.
    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    assert any(isinstance(f, StripQueryStrings) for f in console.filters)
    assert caplog.records, "the requests were expected to log something"
    for record in caplog.records:
        console.filter(record)
        text = console.format(record)
        assert person.last_name not in text
        assert person.personal_number not in text
