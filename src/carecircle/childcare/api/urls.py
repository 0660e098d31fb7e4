from rest_framework.routers import DefaultRouter

from carecircle.childcare.api import views

router = DefaultRouter()
router.register("childcare-filings", views.FilingViewSet, basename="childcare-filing")
router.register("care-networks", views.CareNetworkViewSet, basename="care-network")
router.register("brand-chains", views.BrandChainViewSet, basename="brand-chain")
router.register(
    "childcare-supply-demand", views.SupplyDemandViewSet, basename="childcare-supply-demand"
)
urlpatterns = router.urls
