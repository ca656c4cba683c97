"""What every app's admin pages share: they are the administrator's only (by role, not by
Django's is_staff flag). The apps' admin.py import this; no admin.py imports another."""

from __future__ import annotations

from organisation.models import Role
from organisation.roles import roles_of


def is_administrator(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and roles_of(user).has(Role.ADMIN)


class AdministratorOnly:
    def has_module_permission(self, request):
        return is_administrator(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request)

    def has_add_permission(self, request, *args):
        return is_administrator(request)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request)
