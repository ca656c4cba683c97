"""Brygga on a phone (375 × 812 px): home visits are the core of the service, so the pages a
coordinator uses in someone's home, and every page each role's navigation reaches, must fit.

On each page: nothing is wider than the screen (the page never scrolls sideways), no element
sticks out past its right edge unless it sits in a deliberately scrollable region (a wide table
in a `.table-scroll` wrapper that is a named, focusable region, so keyboard users can scroll it
too), no text is cut off by a box too narrow for it (the decision form's summary), and the
buttons, form fields and navigation links are at least 44 px high, big enough for a finger.
Each role logs in once; the coordinator's pages are also checked with axe-core at this width.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from decisions.models import Application
from delivery import actions as delivery
from delivery.models import VisitKind, VisitStatus
from people.access import visible_people
from people.models import Person
from tests.browser.support import assert_accessible, log_in
from tests.browser.test_accessibility import ROLE_USERS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
MIN_TARGET = 44  # px: WCAG 2.5.5's target size, what a finger needs
# What a finger taps on its own: buttons, fields, a form's own links ("Cancel") and menu links; a
# link inside text or a table cell is exempt, as in WCAG 2.5.5, and a checkbox or radio button is
# tapped through its label too.
TARGETS = [
    "main button",
    "main .button",
    "main input:not([type=hidden], [type=checkbox], [type=radio])",
    "main select",
    "main textarea",
    "main summary",
    "main form > a",
    ".site-header nav a",
    ".site-header button",
    ".site-header .account a",
]

# One line per fault: the page scrolls sideways, an element sticks out past the screen's right
# edge outside a scrollable region, a box cuts its own content off, a touch target is too small.
PHONE_PROBLEMS = """([minTarget, TARGETS]) => {
  const width = window.innerWidth;
  const problems = [];
  const reported = new Set();
  const name = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    else if (el.classList.length) text += "." + [...el.classList].join(".");
    const words = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return words ? `${text} "${words}"` : text;
  };
  // Not shown at all; text only for screen readers still counts for the page's width.
  const hidden = (el) => {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") return true;
    return el.closest("[hidden], details:not([open]) > :not(summary)");
  };
  const offScreen = (el) => el.closest(".visually-hidden, .skip-link");
  // A wrapper the user may scroll sideways on purpose: it scrolls, it is a named region, and a
  // keyboard can reach it.
  const scrollRegion = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll") {
        const named = up.getAttribute("aria-label") || up.getAttribute("aria-labelledby");
        if (up.getAttribute("role") === "region" && named && up.tabIndex === 0) return up;
        if (!reported.has(up)) problems.push(`${name(up)} scrolls, unnamed or unfocusable`);
        reported.add(up);
        return up;
      }
    }
    return null;
  };
  // An absolutely placed element escapes a scrolling wrapper that is not positioned itself.
  const escapes = (el, region) => {
    const position = getComputedStyle(el).position;
    if (position === "fixed") return true;
    if (position !== "absolute") return false;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).position !== "static") return false;
      if (up === region) return true;
    }
    return true;
  };
  const reach = (el) => `${name(el)} reaches ${Math.round(el.getBoundingClientRect().right)}px`;
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (hidden(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    if (rect.right > width + 1) {
      const region = scrollRegion(el);
      if (region && escapes(el, region)) {
        problems.push(`${reach(el)}, out of its scrolling region`);
      } else if (region) {
        if (region.getBoundingClientRect().right > width + 1 && !reported.has(region)) {
          problems.push(reach(region));
        }
        reported.add(region);
      } else if (!(el.parentElement && reported.has(el.parentElement))) {
        problems.push(reach(el));
      }
      reported.add(el);
      continue;
    }
    const style = getComputedStyle(el);
    // A field scrolls its own text; any other box that hides what does not fit cuts it off.
    const clips = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
    const field = el.matches("input, select, textarea");
    if (clips && !field && !offScreen(el) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} cuts off its content (${el.scrollWidth}px in ${el.clientWidth})`);
    }
  }
  for (const el of document.querySelectorAll(TARGETS)) {
    if (hidden(el) || offScreen(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.height < minTarget - 0.5) {
      problems.push(`${name(el)} is ${Math.round(rect.height)}px high, too small to tap`);
    }
  }
  return problems;
}"""


def phone_problems(page, url: str) -> list[str]:
    response = page.goto(url)
    problems = [] if response and response.ok else [f"HTTP {response and response.status}"]
    problems += page.evaluate(PHONE_PROBLEMS, [MIN_TARGET, ", ".join(TARGETS)])
    return [f"{url}: {problem}" for problem in problems]


def nav_pages(page) -> list[str]:
    """The pages the role's main navigation links to; Django's own admin is not Brygga's."""
    links = page.eval_on_selector_all(
        ".site-header nav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    return [link for link in links if not urlsplit(link).path.startswith("/admin/")]


def coordinator_pages() -> list[str]:
    """The pages of a home visit: the person, their visits, one visit, the journal and a note."""
    coordinator = get_user_model().objects.get(username="coordinator")
    elin = Person.objects.get(first_name="Elin", last_name="Fiktiv")
    at = timezone.now().replace(microsecond=0) + datetime.timedelta(days=1)
    visit = delivery.plan_visit(
        user=coordinator,
        person=elin,
        planned_at=at,
        place="Hemma hos Elin, Storgatan 12 B, lägenhet 1102, portkod finns i anteckningen",
        kind=VisitKind.VISIT,
        status=VisitStatus.PLANNED,
    )
    delivery.give_homework(
        user=coordinator, visit=visit, text="Gå till brevlådan varje dag och öppna posten."
    )
    today = timezone.localdate()
    text = "Vi gick en promenad runt kvarteret och pratade om veckan. " * 6
    draft = delivery.create_note(
        user=coordinator, person=elin, happened_on=today, text=text, visit=visit
    )
    signed = delivery.create_note(user=coordinator, person=elin, happened_on=today, text=text)
    delivery.sign_note(user=coordinator, note=signed)
    return [
        "/",
        f"/personer/{elin.pk}/",
        f"/genomforande/person/{elin.pk}/besok/",
        f"/genomforande/person/{elin.pk}/besok/nytt/",
        f"/genomforande/besok/{visit.pk}/",
        f"/genomforande/besok/{visit.pk}/andra/",
        f"/genomforande/person/{elin.pk}/journal/",
        f"/genomforande/person/{elin.pk}/journal/ny/",
        f"/genomforande/anteckning/{draft.pk}/andra/",
        f"/genomforande/anteckning/{draft.pk}/signera/",
        f"/genomforande/anteckning/{signed.pk}/rattelse/",
        f"/genomforande/person/{elin.pk}/plan/",
    ]


def officer_pages() -> list[str]:
    """A person with decisions, and the decision form with its summary of the application."""
    officer = get_user_model().objects.get(username="officer")
    people = visible_people(officer)
    undecided = (
        Application.objects.filter(person__in=people, decisions__isnull=True)
        .order_by("applied_on")
        .first()
    )
    decided = people.filter(decisions__isnull=False).order_by("last_name").first()
    return [
        f"/personer/{decided.pk}/",
        f"/beslut/ansokan/{undecided.pk}/",
        f"/beslut/ansokan/{undecided.pk}/beslut/",
    ]


EXTRA_PAGES = {"coordinator": coordinator_pages, "officer": officer_pages}


@pytest.mark.crawl
@pytest.mark.parametrize("username", sorted(ROLE_USERS, key=lambda u: u != "coordinator"))
def test_every_page_fits_a_phone(page, username):
    page.set_viewport_size(PHONE)
    extra = EXTRA_PAGES[username]() if username in EXTRA_PAGES else []
    log_in(page, username)
    urls = list(dict.fromkeys(["/", *nav_pages(page), *extra]))
    problems: list[str] = []
    for url in urls:
        problems += phone_problems(page, url)
        if username == "coordinator" and url in extra:
            assert_accessible(page)
    problems += page.problems
    assert not problems, (
        f"{len(problems)} problems for {username} on a phone, on {len(urls)} pages:\n"
        + "\n".join(problems)
    )
