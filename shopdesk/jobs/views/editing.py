# Scaffold: the URLconf imports these; each is replaced by its real view.
from django.http import Http404


def job_create(request, *args, **kwargs):
    raise Http404


def job_edit(request, *args, **kwargs):
    raise Http404


def operation_add(request, *args, **kwargs):
    raise Http404


def operation_edit(request, *args, **kwargs):
    raise Http404


def operation_move(request, *args, **kwargs):
    raise Http404


def operation_remove(request, *args, **kwargs):
    raise Http404


def work_center_list(request, *args, **kwargs):
    raise Http404


def work_center_create(request, *args, **kwargs):
    raise Http404


def work_center_edit(request, *args, **kwargs):
    raise Http404
