from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<uuid:pk>/ny/", views.attachment_upload, name="upload"),
    path("<uuid:pk>/", views.attachment_download, name="download"),
]
