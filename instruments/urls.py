from django.urls import path

from instruments import views

app_name = "instruments"

urlpatterns = [
    path("person/<uuid:pk>/ny/", views.start, name="start"),
    path("person/<uuid:pk>/hemlank/", views.home_link, name="home_link"),
    path("person/<uuid:pk>/jamfor/<slug:code>/", views.compare, name="compare"),
    path("risker/", views.alert_list, name="alerts"),
    path("risker/<uuid:pk>/", views.alert, name="alert"),
    path("lank/<uuid:pk>/aterkalla/", views.revoke_link, name="revoke_link"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/svar/", views.answer, name="answer"),
    path("<uuid:pk>/fhir/", views.fhir_export, name="fhir"),
]
