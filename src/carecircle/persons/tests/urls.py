"""The project URLconf, plus placeholders for names ``base.html`` links to that other apps have
not published yet. Once every app provides its names, this adds nothing."""

from django.http import HttpResponse
from django.urls import URLResolver, include, path

from carecircle.urls import urlpatterns as project_urlpatterns

NAMES_IN_BASE_TEMPLATE = {
    "dashboard": ["home"],
    "accounts": ["login", "logout", "user-list"],
    "institutions": ["provider-list", "staff-list", "credit-list"],
    "areas": ["area-list", "estate-list"],
    "audit": ["event-list"],
}


def placeholder(request, *args, **kwargs):
    return HttpResponse(b"")


def _with_placeholders(pattern):
    wanted = NAMES_IN_BASE_TEMPLATE.get(getattr(pattern, "app_name", None) or "")
    if not isinstance(pattern, URLResolver) or not wanted:
        return pattern
    present = {getattr(p, "name", None) for p in pattern.url_patterns}
    missing = [name for name in wanted if name not in present]
    if not missing:
        return pattern
    extra = [path(f"__placeholder__/{name}/", placeholder, name=name) for name in missing]
    return path(
        str(pattern.pattern),
        include(
            (list(pattern.url_patterns) + extra, pattern.app_name), namespace=pattern.namespace
        ),
    )


urlpatterns = [_with_placeholders(pattern) for pattern in project_urlpatterns]
