from django.contrib import admin
from django.urls import include, path

from api.api import api
from brygga import health, views
from sso import views as sso_views

admin.site.site_header = "Brygga – administration"
admin.site.site_title = "Brygga"

urlpatterns = [
    path("", views.home, name="home"),
    path("arbetslista/<slug:name>/", views.worklist_page, name="worklist"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("health/", health.health, name="health"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # Ends the session, and the provider's too after a single sign-on (sso app).
    path("accounts/logout/", sso_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("personer/", include("people.urls")),
    path("tidslinje/", include("brygga.timeline_urls")),
    path("anmalan/", include("intake.public_urls")),
    path("aktualiseringar/", include("intake.urls")),
    path("kartlaggning/", include("mapping.urls")),
    path("beslut/", include("decisions.urls")),
    path("genomforande/", include("delivery.urls")),
    path("uppdrag/", include("provision.urls")),
    path("dokument/", include("documents.urls")),
    path("atkomstlogg/", include("audit.urls")),
    path("grupper/", include("groups.urls")),
    path("traffpunkter/", include("groups.meeting_urls")),
    path("skattningar/", include("instruments.urls")),
    path("skatta/", include("instruments.public_urls")),
    path("statistik/", include("reports.urls")),
    path("registerutdrag/", include("retention.urls")),
    path("jobb/", include("jobs.urls")),
    path("sso/", include("sso.urls")),
    path("api/v1/", api.urls),
    path("", include("api.urls")),
    # The administration uses Brygga's own login; Django's admin login page is never shown.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
]
handler400 = "brygga.views.bad_request"
