from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<uuid:pk>/", views.page, name="page"),
    path("<uuid:pk>/status/", views.status, name="status"),
    path("<uuid:pk>/forsok-igen/", views.retry, name="retry"),
    path("fil/<uuid:pk>/", views.download, name="download"),
]
