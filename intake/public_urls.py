from django.urls import path

from intake import public_views

app_name = "public"

urlpatterns = [
    path("", public_views.web_form, name="form"),
    path("tack/", public_views.thanks, name="thanks"),
]
