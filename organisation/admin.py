"""The administrator's pages: users, units, roles, kinds of support, delegation.

Only users with the administrator role reach them, and no case content is registered here.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from organisation.adminsite import AdministratorOnly, is_administrator
from organisation.models import (
    Delegation,
    Membership,
    Service,
    StaffFlag,
    SupportKind,
    Unit,
)

# The whole admin site is open to administrators by role, not by Django's is_staff flag.
admin.site.has_permission = is_administrator  # type: ignore[method-assign]  # on purpose
_django_admin_view = admin.site.admin_view


def admin_view(view, cacheable=False):
    """Like Django's, but anonymous users go straight to Brygga's login and other roles get 403
    (Django would send both to its own admin login page)."""
    inner = _django_admin_view(view, cacheable)

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_administrator(request):
            raise PermissionDenied
        return inner(request, *args, **kwargs)

    return guarded


admin.site.admin_view = admin_view  # type: ignore[method-assign]  # on purpose


class MembershipInline(AdministratorOnly, admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["unit"]


class DelegationInline(AdministratorOnly, admin.TabularInline):
    model = Delegation
    extra = 0
    fk_name = "user"


class StaffFlagInline(AdministratorOnly, admin.StackedInline):
    model = StaffFlag
    can_delete = False
    extra = 0


User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class BryggaUserAdmin(AdministratorOnly, UserAdmin):
    inlines = [MembershipInline, DelegationInline, StaffFlagInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "memberships__role"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal details"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Group)
class BryggaGroupAdmin(AdministratorOnly, GroupAdmin):
    pass


@admin.register(Unit)
class UnitAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "municipality", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]


@admin.register(SupportKind)
class SupportKindAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["name", "needs_decision", "places", "follow_up_places", "active"]
    filter_horizontal = ["provider_units"]


@admin.register(Delegation)
class DelegationAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["user", "support_kind", "valid_from", "valid_to", "reference"]
    list_filter = ["support_kind"]
    autocomplete_fields = ["user"]


@admin.register(Service)
class ServiceAdmin(AdministratorOnly, admin.ModelAdmin):
    """The service directory that intakes, talks and closures refer people to."""

    list_display = ["name", "organisation", "needs_decision", "target_group", "active"]
    list_filter = ["organisation", "needs_decision", "active"]
    search_fields = ["name", "target_group"]
