# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def traveler_print(request, *args, **kwargs):
    raise Http404


def traveler_pdf(request, *args, **kwargs):
    raise Http404


def traveler_revoke(request, *args, **kwargs):
    raise Http404


def traveler_scan(request, *args, **kwargs):
    raise Http404
