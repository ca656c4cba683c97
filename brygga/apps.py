from django.apps import AppConfig


class BryggaConfig(AppConfig):
    name = "brygga"
    verbose_name = "Brygga"

    def ready(self) -> None:
        from brygga import daily_job, worklists  # noqa: F401  (registers the open cases' list)
        from jobs.kinds import KINDS

        KINDS["daily"] = daily_job.DAILY
