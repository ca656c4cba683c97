from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("statistik.csv", views.report_csv, name="csv"),
    path("statistik.xlsx", views.report_xlsx, name="xlsx"),
    path("i-bakgrunden/", views.start_job, name="start_job"),
]
