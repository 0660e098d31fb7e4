"""The project's URLs, plus placeholders for navigation links of apps not built yet.

``base.html`` links to every app; while another app's pages are still being written its URL names
are missing and every page would fail to render. Names that exist are left untouched, so once all
apps are in place this is exactly the project's URLconf.
"""

from django.http import HttpResponse
from django.urls import NoReverseMatch, URLResolver, include, path, reverse

from carecircle import urls as project_urls

NAV_NAMES = {
    "dashboard": ["home"],
    "persons": ["elder-list", "child-list"],
    "areas": ["area-list", "estate-list"],
    "accounts": ["login", "logout", "user-list"],
    "audit": ["event-list"],
}


def _placeholder(request, *args, **kwargs):
    return HttpResponse("placeholder")


def _exists(namespace: str, name: str) -> bool:
    try:
        reverse(f"{namespace}:{name}", urlconf=project_urls)
    except NoReverseMatch:
        return False
    return True


def _patterns():
    patterns = []
    for entry in project_urls.urlpatterns:
        namespace = getattr(entry, "namespace", None)
        if isinstance(entry, URLResolver) and namespace in NAV_NAMES:
            missing = [n for n in NAV_NAMES[namespace] if not _exists(namespace, n)]
            if missing:
                extra = [path(f"__placeholder__/{n}/", _placeholder, name=n) for n in missing]
                entry = path(
                    str(entry.pattern),
                    include(
                        (list(entry.url_patterns) + extra, entry.app_name), namespace=namespace
                    ),
                )
        patterns.append(entry)
    return patterns


urlpatterns = _patterns()
