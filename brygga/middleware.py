"""Swedish by default: the language follows the user's explicit choice, never the browser.

Staff in a Swedish municipality work in Swedish whatever their browser says; English is chosen
with the language switcher, which sets a cookie that Django's LocaleMiddleware reads. The API
(`/api/`) is the exception: a script has no language switcher, and names its language on purpose
with `Accept-Language` (without it, Swedish).
"""


class SwedishByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# No inline script, no eval, nothing from another origin: a script injected into a page (say in a
# note's text, were escaping ever to fail) does not run. Styles may be inline (HTMX adds its
# indicator style; charts set their width); images may be data: URLs (Swagger UI's icons).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sends CONTENT_SECURITY_POLICY with every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class AccessLogRequestMiddleware:
    """Each request is one scope of the access log (`audit.events.request_scope`): reads logged
    while it runs carry the reason the user gave for that person, and a page that showed a person
    knows whether it has logged the read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from audit.events import request_scope

        with request_scope():
            return self.get_response(request)
