"""System checks: production should anchor the access log outside the database."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def access_log_anchored_in_production(app_configs=None, **kwargs):
    if not settings.PRODUCTION or settings.BRYGGA_ACCESS_LOG_ANCHOR:
        return []
    return [
        Warning(
            "The access log's head is not anchored outside the database: a wiped or "
            "shortened log would not be detected.",
            hint="Set BRYGGA_ACCESS_LOG_ANCHOR and run 'manage.py anchor_access_log' daily "
            "(docs/access-log.md).",
            id="audit.W001",
        )
    ]
