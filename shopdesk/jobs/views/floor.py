# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def floor_page(request, *args, **kwargs):
    raise Http404


def floor_action(request, *args, **kwargs):
    raise Http404


def floor_blocker(request, *args, **kwargs):
    raise Http404
