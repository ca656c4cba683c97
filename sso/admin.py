"""The administrator maps the provider's groups to units and roles, and may link an existing
local account to its identity at the provider."""

from django.contrib import admin

from organisation.adminsite import AdministratorOnly
from sso.models import GroupRole, Identity


@admin.register(GroupRole)
class GroupRoleAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["group", "unit", "role"]
    list_filter = ["role", "unit"]
    search_fields = ["group", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Identity)
class IdentityAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "last_login_at"]
    search_fields = ["user__username", "subject"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at", "last_login_at"]
