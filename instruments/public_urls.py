from django.urls import path  # noqa: F401

app_name = "self_rating"

urlpatterns: list = []
