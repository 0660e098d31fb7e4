from rest_framework.routers import DefaultRouter

from carecircle.persons.api import views

router = DefaultRouter()
router.register("persons", views.PersonViewSet, basename="person")
router.register("hardship-flags", views.HardshipFlagViewSet, basename="hardshipflag")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("residences", views.ResidenceViewSet, basename="residence")
urlpatterns = router.urls
