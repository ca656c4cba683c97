"""Licensed item texts are organisation data: the administrator loads them (no case content)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from instruments import definitions
from instruments.models import InstrumentText
from organisation.adminsite import AdministratorOnly


class InstrumentTextForm(forms.ModelForm):
    class Meta:
        model = InstrumentText
        fields = ["code", "version", "item_id", "text"]

    def clean(self):
        data = super().clean()
        code, version, item_id = data.get("code"), data.get("version"), data.get("item_id")
        if not code or not item_id:
            return data
        try:
            defn = definitions.load(code, version or None)
        except definitions.UnknownDefinition:
            raise forms.ValidationError(
                {"code": _("No instrument with this code and version.")}
            ) from None
        if defn.item(item_id) is None:
            raise forms.ValidationError({"item_id": _("The instrument has no item with this id.")})
        return data


@admin.register(InstrumentText)
class InstrumentTextAdmin(AdministratorOnly, admin.ModelAdmin):
    form = InstrumentTextForm
    list_display = ["code", "version", "item_id", "loaded_at"]
    list_filter = ["code"]
    search_fields = ["code", "item_id", "text"]
