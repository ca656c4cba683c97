"""Meeting places, their activities and the board's decision are organisation data, so the
administrator manages them. Groups, participants and attendance are case content: not here."""

from django.contrib import admin

from groups.models import MeetingPlace, OpenActivity


class OpenActivityInline(admin.TabularInline):
    model = OpenActivity
    extra = 1


@admin.register(MeetingPlace)
class MeetingPlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "board_decision_reference", "board_decision_date"]
    list_filter = ["kind", "active"]
    inlines = [OpenActivityInline]
