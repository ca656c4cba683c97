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
        fields = ["code", "version", "item_id", "option_value", "text", "source", "demo"]

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
        if item_id == InstrumentText.INTRO:
            return data
        item = defn.item(item_id)
        if item is None:
            raise forms.ValidationError({"item_id": _("The instrument has no item with this id.")})
        option_value = data.get("option_value")
        if option_value and item.option(option_value) is None:
            raise forms.ValidationError(
                {"option_value": _("The question has no answer option with this value.")}
            )
        return data


@admin.register(InstrumentText)
class InstrumentTextAdmin(AdministratorOnly, admin.ModelAdmin):
    form = InstrumentTextForm
    list_display = ["code", "version", "item_id", "option_value", "source", "demo", "loaded_at"]
    list_filter = ["code", "demo"]
    search_fields = ["code", "item_id", "text"]
