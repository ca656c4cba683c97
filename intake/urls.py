from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("ny/", views.intake_create, name="create"),
    path("tjanster/", views.service_directory, name="services"),
    path("<uuid:pk>/", views.intake_detail, name="detail"),
    path("<uuid:pk>/andra/", views.intake_edit, name="edit"),
    path("<uuid:pk>/anteckning/", views.add_note, name="note"),
    path("<uuid:pk>/aterringd/", views.mark_called_back, name="callback"),
    path("<uuid:pk>/koppla-person/", views.link_person, name="link_person"),
    path("<uuid:pk>/avsluta/", views.close, name="close"),
    path("<uuid:pk>/bedomningssamtal/", views.intake_talk_create, name="talk_create"),
    path("personer/<uuid:pk>/bedomningssamtal/", views.person_talk_create, name="person_talk"),
    path("personer/<uuid:pk>/hanvisning/", views.person_referral_create, name="person_referral"),
    path("samtal/<uuid:pk>/", views.talk_detail, name="talk_detail"),
    path("samtal/<uuid:pk>/utfall/", views.talk_conclude, name="talk_conclude"),
    path("hanvisningar/<uuid:pk>/resultat/", views.referral_result, name="referral_result"),
]
