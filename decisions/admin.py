"""The administrator's page for legal bases: the law a decision letter cites, by period."""

from django.contrib import admin

from decisions.models import LegalBasis
from organisation.adminsite import AdministratorOnly


@admin.register(LegalBasis)
class LegalBasisAdmin(AdministratorOnly, admin.ModelAdmin):
    list_display = ["citation", "ground", "valid_from", "valid_to", "source"]
    list_filter = ["ground", "sfs"]
