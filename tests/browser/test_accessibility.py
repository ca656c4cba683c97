"""Every page each demo role can reach is checked with axe-core for WCAG 2.1 AA: zero violations.

For each role the test logs in through the real form and follows same-origin links (GET only)
from the start page. Each page must answer without an HTTP error, and Brygga's own pages must
have a title of their own, exactly one h1 and one main landmark. Pages reached by a form
(validation errors, a failed login, the lockout) are checked separately.
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from playwright.sync_api import Error as PlaywrightError

from demo.data import USERS
from organisation.models import Unit
from people.access import visible_people
from people.models import Person
from tests.browser.support import assert_accessible, axe_violations, log_in, structure_problems

pytestmark = pytest.mark.browser


def one_user_per_role() -> list[str]:
    """The first demo user of each set of roles (coordinator3 is just another coordinator)."""
    seen: set[frozenset[str]] = set()
    users = []
    for username, _first, _last, memberships in USERS:
        roles = frozenset(role for _unit, role in memberships)
        if roles not in seen:
            seen.add(roles)
            users.append(username)
    return users


ROLE_USERS = one_user_per_role()
MAX_PAGES = 60  # per role
PER_PATTERN = 1  # pages per URL pattern (ids replaced): one edit form stands for all of them
MAX_ADMIN_PAGES = 10  # third-party pages: the index, lists, add and change forms
NEVER_FOLLOW = ("/accounts/logout/", "/i18n/", "/static/", "/admin/logout/")

# The Django admin is third-party markup. These violations come from Django's own admin templates
# and vendored JavaScript and cannot reasonably be fixed from Brygga's templates, so they are
# excluded on /admin/ pages only, and only for the elements the pattern matches. Brygga's own
# pages are checked with no exceptions at all.
ADMIN_EXCEPTIONS = {
    # Tabular inlines (a user's memberships) put each field in a table cell under a column
    # header, with no <label>; admin/edit_inline/tabular.html offers no way to add one.
    "label": re.compile(r"^#id_\w+-\d+-\w+$"),
    "select-name": re.compile(r"^#id_\w+-\d+-\w+$"),
    # The autocomplete widget (select2, vendored by Django) renders a combobox with no name.
    "aria-input-field-name": re.compile(r"select2"),
    # SelectFilter2.js (filter_horizontal) puts aria-label on a plain <span> help icon.
    "aria-prohibited-attr": re.compile(r"\.help-tooltip"),
}

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NUMBER = re.compile(r"/\d+(?=/)")


def url_pattern(url: str) -> str:
    """The URL with ids replaced and only the names of query parameters kept.

    In the admin only the path counts: sorting and filtering a list show the same markup.
    """
    parts = urlsplit(url)
    path = _NUMBER.sub("/<id>", _UUID.sub("<uuid>", parts.path))
    if path.startswith("/admin/"):
        return path
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(names) if names else "")


def followable(url: str, base_url: str, *, admin: bool) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base_url:
        return False
    if parts.path.startswith(NEVER_FOLLOW):
        return False
    if parts.path.startswith("/admin/"):
        # Deleting is never a crawl's business, not even the confirmation page.
        return admin and not parts.path.endswith("/delete/")
    return True


def visit(page, url: str) -> tuple[int, str]:
    """Open the URL in the page; a download (a letter as PDF) is fetched for its status only."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" not in str(error):
            raise
        response = page.request.get(url)
    if response is None:
        return 0, ""
    return response.status, response.headers.get("content-type", "")


def crawl(page, base_url: str, seeds: list[str], *, admin: bool = False):
    """Visit seeds and what they link to, breadth first; return (visited URLs, problems)."""
    queue = deque(base_url + seed for seed in seeds)
    queued = set(queue)
    per_pattern: dict[str, int] = {}
    visited: list[str] = []
    admin_pages = 0
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        is_admin_page = urlsplit(url).path.startswith("/admin/")
        if is_admin_page:
            if admin_pages >= MAX_ADMIN_PAGES:
                continue
            admin_pages += 1
        visited.append(url)
        status, content_type = visit(page, url)
        if status >= 400:
            problems.append(f"{url}: HTTP {status}")
            continue
        if "text/html" not in content_type:
            continue
        if is_admin_page:
            problems += axe_violations(page, exceptions=ADMIN_EXCEPTIONS)
        else:
            problems += structure_problems(page)
            problems += axe_violations(page)
        # A link with the download attribute fetches a file (a letter, an attachment), not a page.
        for link in page.eval_on_selector_all(
            "a[href]:not([download])", "ls => ls.map(a => a.href)"
        ):
            link = urldefrag(link).url
            if link in queued or not followable(link, base_url, admin=admin):
                continue
            pattern = url_pattern(link)
            if per_pattern.get(pattern, 0) >= PER_PATTERN:
                continue
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            queued.add(link)
            queue.append(link)
    return visited, problems


def interesting_people(username: str) -> list[str]:
    """Person pages the crawl starts from as well: with a network, with a protected identity."""
    user = get_user_model().objects.get(username=username)
    people = visible_people(user).filter(Q(protected_identity=True) | Q(contacts__isnull=False))
    return [f"/personer/{pk}/" for pk in people.distinct().values_list("pk", flat=True)]


@pytest.mark.crawl
@pytest.mark.parametrize("username", ROLE_USERS)
def test_every_page_a_role_reaches_is_accessible(page, live_server, username):
    log_in(page, username)
    seeds = ["/", *interesting_people(username)]
    if username == "admin":
        officer = get_user_model().objects.get(username="officer")
        unit = Unit.objects.order_by("pk").first()
        seeds += [
            "/admin/",
            "/admin/auth/user/",
            "/admin/auth/user/add/",
            f"/admin/auth/user/{officer.pk}/change/",
            f"/admin/organisation/unit/{unit.pk}/change/",
        ]
    visited, problems = crawl(page, live_server.url, seeds, admin=username == "admin")
    problems += page.problems
    assert not problems, (
        f"{len(problems)} problems on the {len(visited)} pages {username} reached:\n"
        + "\n".join(problems)
    )


@pytest.mark.crawl
def test_public_pages_are_accessible_logged_out(page, live_server):
    seeds = ["/accounts/login/", "/tillganglighet/", "/anmalan/", "/anmalan/tack/", "/"]
    visited, problems = crawl(page, live_server.url, seeds)
    problems += page.problems
    assert not problems, "\n".join(problems)
    assert urlsplit(page.url).path == "/accounts/login/", "the start page should ask to log in"


def test_failed_login_and_lockout_pages_are_accessible(page, settings):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        page.goto("/accounts/login/")
        page.fill("#id_username", "officer")
        page.fill("#id_password", f"wrong-{attempt}")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if attempt == 1:
            assert page.locator(".error-summary").is_visible()
            assert not structure_problems(page)
            assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() != "", "the lockout page"
    assert page.locator("#id_password").count() == 0, "after five failures the account is locked"
    assert not structure_problems(page)
    assert_accessible(page)


BROKEN_REFERENCES = """() => {
  const problems = [];
  const counts = new Map();
  for (const element of document.querySelectorAll("[id]")) {
    counts.set(element.id, (counts.get(element.id) || 0) + 1);
  }
  for (const [id, count] of counts) if (count > 1) problems.push(`id ${id} used ${count} times`);
  for (const element of document.querySelectorAll("[aria-describedby]")) {
    for (const id of element.getAttribute("aria-describedby").split(/\\s+/)) {
      if (id && !document.getElementById(id)) problems.push(`aria-describedby: no #${id}`);
    }
  }
  return problems;
}"""


def test_form_errors_are_accessible(page):
    """Forms sent back with errors: the error messages and marked fields must pass axe too."""
    log_in(page, "officer")
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    empty_submissions = [
        "/personer/ny/",
        f"/personer/{elin.pk}/natverk/ny/",
        f"/personer/{elin.pk}/sammanfoga/",
    ]
    for path in empty_submissions:
        page.goto(path)
        with page.expect_navigation():
            page.locator("main form button[type=submit].primary").first.click()
        assert page.locator(".field-error").count() > 0, f"{path} accepted an empty form"
        assert not structure_problems(page)
        assert not page.evaluate(BROKEN_REFERENCES)
        invalid = page.locator("[aria-invalid=true]").first
        error_id = f"{invalid.get_attribute('id')}_error"
        assert error_id in (invalid.get_attribute("aria-describedby") or "").split(), (
            f"{path}: the error message is not tied to its field"
        )
        assert_accessible(page)

    page.goto(f"/personer/{elin.pk}/andra/")
    page.fill("#id_first_name", "")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator("#id_first_name[aria-invalid=true]").count() == 1
    assert_accessible(page)
    assert not page.problems


def test_public_intake_form_with_errors_is_accessible(page):
    """The public form, logged out: sent empty, then with a bad e-mail address."""
    page.goto("/anmalan/")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator(".error-summary").is_visible()
    assert page.locator(".field-error").count() >= 3
    assert not structure_problems(page)
    assert_accessible(page)
    page.check("#id_writer_1")
    page.fill("#id_name", "Eva Anhörig")
    page.fill("#id_email", "inte-en-adress")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator("#id_email[aria-invalid=true]").count() == 1
    assert page.input_value("#id_name") == "Eva Anhörig"
    assert_accessible(page)
    assert not page.problems


def test_reasoned_access_and_the_managers_review_are_accessible(page, browser, live_server):
    """A coordinator opens a record outside their cases; the manager then reviews the reason."""
    log_in(page, "coordinator2")
    page.goto("/personer/?q=Elin")  # one word: only one's own cases, and a hint
    assert_accessible(page)
    page.goto("/personer/?q=Elin+Fiktiv")
    assert_accessible(page)
    page.locator("#results a[href$='/skal/']").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator(".field-error").count() == 1
    assert_accessible(page)
    page.fill("#id_reason", "Täcker upp för Kim under semestern.")
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()
    assert page.locator(".notice").is_visible(), "read-only notice on the opened record"
    assert not structure_problems(page)
    assert_accessible(page)

    manager = browser.new_context(base_url=live_server.url, locale="sv-SE").new_page()
    try:
        log_in(manager, "manager")
        assert manager.locator("#reasons-heading").is_visible()
        assert_accessible(manager)
        manager.locator("main a[href*='/atkomstlogg/?person=']").first.click()
        manager.wait_for_load_state()
        manager.check("#id_only_reasons")
        with manager.expect_navigation():
            # The form's own button; the staff filter has its search button too.
            manager.get_by_role("button", name="Filtrera").click()
        assert manager.locator("tr.highlight").count() >= 1
        assert not structure_problems(manager)
        assert_accessible(manager)
        manager.goto("/atkomstlogg/?user=not-a-user")
        assert manager.locator(".field-error").count() == 1
        assert_accessible(manager)
    finally:
        manager.context.close()


def test_error_pages_are_accessible(page):
    log_in(page, "analyst")
    response = page.goto("/personer/")
    assert response.status == 403
    assert not structure_problems(page)
    assert_accessible(page)
    response = page.goto(f"/personer/{uuid.uuid4()}/")
    assert response.status in (403, 404)
    response = page.goto("/finns-inte/")
    assert response.status == 404
    assert not structure_problems(page)
    assert_accessible(page)

    page.set_content(render_to_string("500.html"))
    assert not structure_problems(page)
    assert_accessible(page)


def test_axe_does_find_violations(browser):
    """The harness itself: a page with known violations must not pass."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<html><head><title>x</title></head><body><main><h1>x</h1><img src="x.png">'
            '<p style="color:#bbb">grey on white</p><input type="text"></main></body></html>'
        )
        report = "\n".join(axe_violations(page))
        for rule in ("html-has-lang", "image-alt", "color-contrast", "label"):
            assert f": {rule} (" in report, f"axe missed {rule}:\n{report}"
    finally:
        context.close()
