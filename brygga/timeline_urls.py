from django.urls import path

from brygga import timeline_views

app_name = "timeline"

urlpatterns = [
    path("person/<uuid:pk>/", timeline_views.timeline_page, name="person"),
    path("person/<uuid:pk>/utskrift.pdf", timeline_views.timeline_pdf, name="pdf"),
]
