from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("ny/", views.person_create, name="create"),
    path("<uuid:pk>/", views.person_detail, name="detail"),
    path("<uuid:pk>/andra/", views.person_edit, name="edit"),
    path("<uuid:pk>/skal/", views.person_reason, name="reason"),
    path("<uuid:pk>/sammanfoga/", views.person_merge, name="merge"),
    path("<uuid:pk>/natverk/ny/", views.contact_edit, name="contact_create"),
    path("<uuid:pk>/natverk/<uuid:contact_pk>/", views.contact_edit, name="contact_edit"),
    path(
        "<uuid:pk>/natverk/<uuid:contact_pk>/ta-bort/",
        views.contact_delete,
        name="contact_delete",
    ),
]
