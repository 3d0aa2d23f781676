"""Recert's URLs and the benchmark's bare view (never in the app's own URLs)."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    """The least a Django view can do behind the same middleware."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("", include("recert.urls"))]
