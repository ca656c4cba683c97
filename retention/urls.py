from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.index, name="index"),
    path("person/<uuid:pk>/", views.person_page, name="person"),
    path("person/<uuid:pk>/undantag/", views.exception_create, name="exception_create"),
    path("undantag/<uuid:pk>/aterkalla/", views.exception_withdraw, name="exception_withdraw"),
    path("<uuid:pk>/ta-fram/", views.extract_produce, name="extract_produce"),
]
