"""Request-level protections: the client's address behind a proxy, and the Content-Security-Policy."""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext


def client_ip(request) -> str:
    """The client's address: with N trusted proxies in front, the Nth address from the right of X-Forwarded-For.

    Addresses further left were written by the client and cannot be trusted, so
    a forged header cannot move the lockout to somebody else's address.
    """
    proxies = settings.PORTFOLIO_TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return chain[-proxies] if len(chain) >= proxies else remote


def login_record_str(record) -> str:
    """How the admin names a django-axes login record (its own names are English): who, from where, when."""
    text = gettext("«%(username)s» từ %(address)s, %(time)s") % {
        "username": record.username or "", "address": record.ip_address or "?",
        "time": formats.date_format(timezone.localtime(record.attempt_time), "d/m/Y H:i") if record.attempt_time else "",
    }
    return text + (gettext(" (bị khóa)") if getattr(record, "locked_out", False) else "")


class ContentSecurityPolicyMiddleware:
    """Every page may load from its own origin only: no outside host, no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PORTFOLIO_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
