from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Statistics"

    def ready(self) -> None:
        from jobs.kinds import KINDS
        from reports import jobs

        KINDS[jobs.KIND] = jobs.REPORT
