"""Authentication that refuses demo accounts in production."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from organisation.models import StaffFlag


class BryggaModelBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if not settings.PRODUCTION:
            return True
        return not StaffFlag.objects.filter(user=user, is_demo=True).exists()
