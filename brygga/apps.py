from django.apps import AppConfig


class BryggaConfig(AppConfig):
    name = "brygga"
    verbose_name = "Brygga"

    def ready(self) -> None:
        from brygga import daily_job
        from jobs.kinds import KINDS

        KINDS["daily"] = daily_job.DAILY
