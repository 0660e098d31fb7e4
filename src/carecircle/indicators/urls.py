from carecircle.indicators import urls_exchange, urls_monitor, urls_reporting

app_name = "indicators"

urlpatterns = [*urls_monitor.urlpatterns, *urls_reporting.urlpatterns, *urls_exchange.urlpatterns]
