"""Helpers for sending a page's form twice with its one-time token (`submissions.resend`)."""

from __future__ import annotations

import re

from submissions.resend import FIELD

ALREADY_SENT = ("This was already sent; here is the result.", "Det här skickades redan")
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def token_on(response, action: str | None = None) -> str:
    """The token of the page's POST form (the one posting to `action`, if given)."""
    for attributes, body in _FORM.findall(response.content.decode()):
        if 'method="post"' not in attributes:
            continue
        if action is not None and f'action="{action}"' not in attributes:
            continue
        found = re.search(rf'name="{FIELD}" value="([^"]+)"', body)
        if found:
            return found.group(1)
    raise AssertionError(f"no form with a submission token posting to {action or 'the page'}")


def send_twice(client, url: str, data: dict, token: str):
    """The same form, with the same token, sent twice: (first response, second response)."""
    first = client.post(url, {**data, FIELD: token})
    second = client.post(url, {**data, FIELD: token})
    return first, second


def assert_answered_with_the_first(client, first, second) -> None:
    """The resend did nothing again: it leads where the first did, saying so."""
    assert first.status_code == 302, first.status_code
    assert second.status_code == 302, second.status_code
    assert second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert any(text in page for text in ALREADY_SENT), "the resend is not explained"
