from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and register extracts")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from retention.constraints import restrict_deletes

        # After every migrate, once all apps' tables are there (retention/constraints.py).
        post_migrate.connect(restrict_deletes, sender=self, dispatch_uid="restrict_deletes")
        from audit.events import CHAIN_STARTS
        from audit.models import RECORD_TYPE_LABELS
        from jobs.kinds import KINDS
        from retention import sections  # noqa: F401  (registers the person-page section)
        from retention.actions import chain_start
        from retention.jobs import EXTRACT, KIND

        KINDS[KIND] = EXTRACT
        if chain_start not in CHAIN_STARTS:
            CHAIN_STARTS.append(chain_start)

        # How this app's entries read in the access-log review and in the extract.
        RECORD_TYPE_LABELS.update(
            {
                "retention_exception": _("Exception from culling"),
                "retention_status": _("Culling status"),
                "register_extract": _("Register extract"),
                "access_log_cull": _("Culling of the access log"),
            }
        )
