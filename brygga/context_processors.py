"""Navigation that shows only what the user's roles may use."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisation.models import CASE_ROLES, Role
from organisation.roles import roles_of

# (url name, label, roles that may use it); None means every logged-in user.
NAVIGATION = [
    ("home", _("Start"), None),
    ("people:list", _("People"), tuple(CASE_ROLES)),
    ("intake:inbox", _("Intakes"), (Role.OFFICER, Role.MANAGER)),
    ("provision:inbox", _("Orders"), (Role.COORDINATOR, Role.MANAGER)),
    ("groups:list", _("Group activities"), (Role.COORDINATOR, Role.MANAGER)),
    ("instruments:alerts", _("Risk alerts"), (Role.COORDINATOR, Role.MANAGER)),
    ("meeting_places:list", _("Meeting places"), (Role.MEETING_PLACE, Role.MANAGER)),
    ("reports:report", _("Statistics"), (Role.ANALYST, Role.MANAGER)),
    ("audit:review", _("Access log"), (Role.MANAGER,)),
    ("retention:index", _("Register extracts and culling"), (Role.MANAGER,)),
    ("admin:index", _("Administration"), (Role.ADMIN,)),
]


def shell(request):
    user = getattr(request, "user", None)
    items = []
    if user is not None and user.is_authenticated:
        roles = roles_of(user)
        for name, label, allowed in NAVIGATION:
            if allowed is None or roles.has(*allowed):
                url = reverse(name)
                current = request.path == url or (url != "/" and request.path.startswith(url))
                items.append({"url": url, "label": label, "current": current})
    return {
        "nav_items": items,
        "municipality_name": settings.MUNICIPALITY_NAME,
        "demo_mode": settings.DEMO,
    }
