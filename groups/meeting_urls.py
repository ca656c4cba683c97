from django.urls import path

from groups import views

app_name = "meeting_places"

# Head counts only: no route here ever shows or takes a name or a personal number.
urlpatterns = [
    path("", views.meeting_place_list, name="list"),
    path("<int:pk>/", views.meeting_place_detail, name="detail"),
    path("<int:pk>/namndbeslut/", views.board_decision, name="board_decision"),
]
