from django.urls import path

from delivery import views

app_name = "delivery"

# No route changes or removes a signed journal note: a correction is a new note pointing to it.
urlpatterns = [
    path("person/<uuid:pk>/journal/", views.journal, name="journal"),
    path("person/<uuid:pk>/journal/ny/", views.note_create, name="note_create"),
    path("anteckning/<uuid:pk>/andra/", views.note_edit, name="note_edit"),
    path("anteckning/<uuid:pk>/signera/", views.note_sign, name="note_sign"),
    path("anteckning/<uuid:pk>/ta-bort/", views.note_delete, name="note_delete"),
    path("anteckning/<uuid:pk>/rattelse/", views.note_correct, name="note_correct"),
    path("anteckning/<uuid:pk>/invandning/", views.objection_create, name="objection_create"),
    path("person/<uuid:pk>/besok/", views.visits, name="visits"),
    path("person/<uuid:pk>/besok/nytt/", views.visit_create, name="visit_create"),
    path("person/<uuid:pk>/besok/serie/", views.series_create, name="series_create"),
    path("besok/<uuid:pk>/", views.visit_detail, name="visit_detail"),
    path("besok/<uuid:pk>/andra/", views.visit_edit, name="visit_edit"),
    path("besok/<uuid:pk>/hemuppgift/", views.homework_create, name="homework_create"),
    path("hemuppgift/<uuid:pk>/uppfoljning/", views.homework_follow_up, name="homework_follow_up"),
    path("person/<uuid:pk>/plan/", views.plan_current, name="plan"),
    path("person/<uuid:pk>/plan/ny/", views.plan_create, name="plan_create"),
    path("plan/<uuid:pk>/", views.plan_detail, name="plan_detail"),
    path("plan/<uuid:pk>/mal/nytt/", views.goal_create, name="goal_create"),
    path("mal/<uuid:pk>/utvardering/", views.goal_review, name="goal_review"),
]
