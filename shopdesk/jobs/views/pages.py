# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def job_list(request, *args, **kwargs):
    raise Http404


def job_detail(request, *args, **kwargs):
    raise Http404


def job_release(request, *args, **kwargs):
    raise Http404


def job_unrelease(request, *args, **kwargs):
    raise Http404


def job_ship(request, *args, **kwargs):
    raise Http404


def job_close(request, *args, **kwargs):
    raise Http404


def blocker_raise(request, *args, **kwargs):
    raise Http404


def blocker_resolve(request, *args, **kwargs):
    raise Http404
