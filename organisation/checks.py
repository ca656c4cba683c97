"""System checks: production must hold no demo accounts."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_demo_accounts_in_production(app_configs=None, **kwargs):
    if not settings.PRODUCTION:
        return []
    from organisation.models import StaffFlag

    try:
        count = StaffFlag.objects.filter(is_demo=True).count()
    except DatabaseError:
        return []  # not migrated yet: nothing can exist
    if count:
        return [
            Error(
                "Demo accounts exist in a production database.",
                hint="Run 'manage.py remove_demo' or delete the accounts flagged as demo.",
                id="brygga.E001",
            )
        ]
    return []
