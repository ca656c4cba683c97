from django.urls import path

from decisions import views

app_name = "decisions"

# No route changes or removes an issued decision: a change is a new decision referring to it.
urlpatterns = [
    path("person/<uuid:pk>/ansokan/ny/", views.application_create, name="application_create"),
    path("ansokan/<uuid:pk>/", views.application_detail, name="application_detail"),
    path("ansokan/<uuid:pk>/kommunicering/", views.communication, name="communication"),
    path("ansokan/<uuid:pk>/beslut/", views.decision_create, name="decision_create"),
    path("<uuid:pk>/", views.decision_detail, name="detail"),
    path("<uuid:pk>/brev.pdf", views.decision_letter, name="letter"),
    path("<uuid:pk>/upphor/", views.decision_end, name="end"),
    path("<uuid:pk>/utskick/", views.delivery_create, name="delivery_create"),
    path("<uuid:pk>/overklagande/", views.appeal_create, name="appeal_create"),
    path("overklagande/<uuid:pk>/", views.appeal_detail, name="appeal_detail"),
    path("overklagande/<uuid:pk>/steg/", views.appeal_step, name="appeal_step"),
]
