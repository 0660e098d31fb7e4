from django.urls import path

from carecircle.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/elderly/", views.elderly_services, name="elderly-services"),
    path("services/childcare/", views.childcare_services, name="childcare-services"),
]
