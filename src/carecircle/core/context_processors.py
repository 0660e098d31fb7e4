from django.conf import settings

from carecircle.core.models import user_domains


def platform(request):
    user = getattr(request, "user", None)
    return {
        "PLATFORM_PRODUCTION": settings.PRODUCTION,
        "user_domains": user_domains(user) if user is not None else set(),
    }
