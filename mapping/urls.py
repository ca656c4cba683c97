from django.urls import path

from mapping import views

app_name = "mapping"

urlpatterns = [
    path("<uuid:pk>/ny/", views.mapping_start, name="start"),
    path("<uuid:pk>/", views.mapping_detail, name="detail"),
    path("<uuid:pk>/tillfalle/ny/", views.session_add, name="session_add"),
    path("<uuid:pk>/behov/", views.needs_edit, name="needs"),
    path("<uuid:pk>/avbryt/", views.mapping_interrupt, name="interrupt"),
    path("<uuid:pk>/avsluta/", views.mapping_complete, name="complete"),
]
