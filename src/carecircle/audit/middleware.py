import re
import uuid

_VALID = re.compile(r"^[A-Za-z0-9\-]{8,36}$")


class RequestIdMiddleware:
    """Gives each request an ID (kept from a trusted proxy header when well-formed) for audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _VALID.match(incoming) else str(uuid.uuid4())
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
