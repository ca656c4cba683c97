from django.apps import AppConfig


class BryggaConfig(AppConfig):
    name = "brygga"
    verbose_name = "Brygga"
