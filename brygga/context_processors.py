"""Navigation that shows only what the user's roles may use."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisation.models import Role
from organisation.permissions import (
    ALERT_ROLES,
    AUTHORITY_ROLES,
    CASE_ROLES,
    GROUP_ROLES,
    MEETING_PLACE_ROLES,
    PROVIDER_ROLES,
    STATISTICS_ROLES,
)
from organisation.roles import roles_of

# (url name, label, roles that may use it); None means every logged-in user.
NAVIGATION = [
    ("home", _("Start"), None),
    ("people:list", _("People"), tuple(CASE_ROLES)),
    ("intake:inbox", _("Intakes"), tuple(AUTHORITY_ROLES)),
    ("provision:inbox", _("Orders"), tuple(PROVIDER_ROLES)),
    ("groups:list", _("Group activities"), tuple(GROUP_ROLES)),
    ("instruments:alerts", _("Risk alerts"), tuple(ALERT_ROLES)),
    ("meeting_places:list", _("Meeting places"), tuple(MEETING_PLACE_ROLES)),
    ("reports:report", _("Statistics"), tuple(STATISTICS_ROLES)),
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
