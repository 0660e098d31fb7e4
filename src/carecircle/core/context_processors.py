from django.conf import settings


def platform(request):
    return {"PLATFORM_PRODUCTION": settings.PRODUCTION}
