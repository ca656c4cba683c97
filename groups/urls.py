from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("ny/", views.group_create, name="create"),
    path("<uuid:pk>/", views.group_detail, name="detail"),
    path("<uuid:pk>/tillfallen/", views.generate, name="generate"),
    path("<uuid:pk>/deltagare/", views.participants, name="participants"),
    path("tillfalle/<uuid:pk>/", views.session_detail, name="session"),
]
