from django.urls import path

from instruments import public_views

app_name = "self_rating"

urlpatterns = [
    path("tack/", public_views.thanks, name="thanks"),
    path("<str:token>/", public_views.rate, name="form"),
]
