from rest_framework.routers import DefaultRouter

from carecircle.assessments.api import views

router = DefaultRouter()
router.register("assessments", views.AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
