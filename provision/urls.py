from django.urls import path

from provision import views

app_name = "provision"

urlpatterns = [
    path("", views.order_inbox, name="inbox"),
    path("<uuid:pk>/", views.order_detail, name="order"),
    path("kapacitet/", views.capacity, name="capacity"),
    path("omfordela/", views.reassign, name="reassign"),
    path("person/<uuid:pk>/avsluta/", views.close, name="close"),
    path("uppfoljning/<uuid:pk>/", views.follow_up, name="follow_up"),
]
