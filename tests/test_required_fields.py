"""Every field a form refuses to leave empty says so before it is sent.

For every page of the role matrix (`tests/test_role_matrix.py`), opened by a user who may use it,
each form is read as a browser would see it: a field is marked required when its control carries
`required` (or `aria-required="true"`) and its label or legend shows the visible marker
("(obligatoriskt)", `<span class="required">`). Then each form that sends something is sent
empty (only its hidden fields), and every field it refuses for being empty must have been marked.
Whatever the empty sending changed is rolled back before the next page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client

from tests.test_role_matrix import MATRIX, OK, resolve_expected

# Who opens each page: the first of these who may use it.
OPENERS = [
    "coordinator",
    "officer",
    "manager",
    "analyst",
    "meeting_staff",
    "administrator",
    "anonymous",
]
# Fields needed only when another is not given: not marked, and the form's message names both.
EITHER_OR = {
    ("intake:create", "person_description"),  # the person's number, or a description
    ("intake:edit", "person_description"),
    ("people:create", "number"),  # the number, unless "a reserve number" is chosen
    ("public:form", "phone"),  # a phone number or an e-mail address
}
CONTROL_TAGS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Form:
    method: str
    action: str
    hidden: dict[str, str] = field(default_factory=dict)
    # control name -> its ids, whether it carries required/aria-required
    controls: dict[str, dict] = field(default_factory=dict)
    marked_ids: set[str] = field(default_factory=set)  # label[for] with the marker
    marked_in_fieldset: set[str] = field(default_factory=set)  # names under a marked legend

    def has_marker(self, name: str) -> bool:
        ids = self.controls[name]["ids"]
        return bool(ids & self.marked_ids) or name in self.marked_in_fieldset

    def is_group(self, name: str) -> bool:
        control = self.controls[name]
        return control["kind"] == "checkbox" and len(control["ids"]) > 1

    def has_required_attribute(self, name: str) -> bool:
        """`required` (or `aria-required`) on the control. A group of checkboxes cannot carry it
        (a browser would then want every box ticked): its marker is enough."""
        return self.controls[name]["required"] or self.is_group(name)

    def can_be_empty(self, name: str) -> bool:
        """A select without an empty choice always sends one; HTML forbids `required` on it."""
        return not self.controls[name].get("always_chosen", False)

    def untouched(self) -> dict[str, str]:
        """What a browser sends when nobody touches the fields: the hidden fields, and the first
        or selected choice of a select that has no empty choice."""
        sent = dict(self.hidden)
        for name, control in self.controls.items():
            if control.get("always_chosen"):
                sent[name] = control["default"]
        return sent


class FormReader(HTMLParser):
    """The forms of a page, and the fields shown with an error (`<id>_error`)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.errors: set[str] = set()
        self.form: Form | None = None
        self.label_for: str | None = None
        self.label_marked = False
        self.fieldsets: list[dict] = []  # {"marked": bool, "names": set, "in_legend": bool}
        self.in_legend = False
        self.select: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if a.get("id", "").endswith("_error"):
            self.errors.add(a["id"].removeprefix("id_").removesuffix("_error"))
        if tag == "form":
            self.form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self.form)
        elif tag == "fieldset":
            self.fieldsets.append({"marked": False, "names": set()})
        elif tag == "legend":
            self.in_legend = True
        elif tag == "label":
            self.label_for, self.label_marked = a.get("for"), False
        elif tag == "span" and "required" in a.get("class", "").split():
            if self.label_for is not None:
                self.label_marked = True
            if self.in_legend and self.fieldsets:
                self.fieldsets[-1]["marked"] = True
        if tag in CONTROL_TAGS and self.form is not None and a.get("name"):
            self._control(tag, a)
        if tag == "option" and self.select is not None:
            self._option(a)

    def _control(self, tag, a):
        kind = a.get("type", "text").lower() if tag == "input" else tag
        if kind in NOT_FIELDS:
            if kind == "hidden":
                self.form.hidden[a["name"]] = a.get("value", "")
            return
        control = self.form.controls.setdefault(
            a["name"], {"ids": set(), "required": False, "kind": kind}
        )
        control["ids"].add(a.get("id", ""))
        if "required" in a or a.get("aria-required") == "true":
            control["required"] = True
        if self.fieldsets:
            self.fieldsets[-1]["names"].add(a["name"])
        if tag == "select" and "multiple" not in a:
            self.select = control
            control.update(options=0, always_chosen=True, default=None)

    def _option(self, a):
        value = a.get("value", "")
        if self.select["options"] == 0 or "selected" in a:
            self.select["default"] = value
        if value == "":
            self.select["always_chosen"] = False
        self.select["options"] += 1

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            if self.select is not None and self.select["options"] == 0:
                self.select["default"] = ""  # nothing to choose from: not this test's concern
            self.select = None
        elif tag == "legend":
            self.in_legend = False
        elif tag == "label":
            if self.label_marked and self.form is not None and self.label_for:
                self.form.marked_ids.add(self.label_for)
            self.label_for = None
        elif tag == "fieldset" and self.fieldsets:
            closed = self.fieldsets.pop()
            if closed["marked"] and self.form is not None:
                self.form.marked_in_fieldset |= closed["names"]


def read(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def _pages():
    for key, (method, build_url, _data, expected) in MATRIX.items():
        if method != "get" or key.startswith("admin") or key.endswith(("_pdf", "_json")):
            continue
        opener = next((user for user in OPENERS if expected[user] == OK), None)
        if opener is not None:
            yield key, build_url, opener


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="organisation.auth.BryggaModelBackend")
    return client


def _faults_of_page(key, client, url) -> list[str]:
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    faults = []
    for index, form in enumerate(read(response.content.decode()).forms):
        where = f"{key} form {index + 1}"
        for name in form.controls:
            if not form.can_be_empty(name) or form.is_group(name):
                continue
            marker, attribute = form.has_marker(name), form.has_required_attribute(name)
            if marker != attribute:
                faults.append(f"{where}: {name}: marker shown {marker}, required {attribute}")
        if form.method == "post" and form.controls:
            faults += _refused_when_empty(where, client, form, form.action or url)
    return faults


def _refused_when_empty(where, client, form, target) -> list[str]:
    response = client.post(target, form.untouched())
    if response.status_code != 200:
        return []
    refused = read(response.content.decode()).errors & set(filter(form.can_be_empty, form.controls))
    refused -= {name for page, name in EITHER_OR if where.startswith(f"{page} ")}
    return [
        f"{where}: {name}: refused when empty, but not marked required"
        for name in sorted(refused)
        if not (form.has_marker(name) and form.has_required_attribute(name))
    ]


def test_every_required_field_is_marked(db, person, coordinator, role_users):
    users = {"anonymous": None, **role_users}
    faults = []
    for key, build_url, opener in _pages():
        with transaction.atomic():
            ctx = {"person": person, "coordinator": coordinator}
            url = build_url(ctx)
            resolve_expected(OK, ctx)
            faults += _faults_of_page(key, _client(users[opener]), url)
            transaction.set_rollback(True)
    if faults:
        pytest.fail("Fields whose marking is wrong:\n" + "\n".join(faults), pytrace=False)
