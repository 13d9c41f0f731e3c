"""Statistics pages (``statistics:…``): a DLI's own under ``statistics/``, the officers' under
``officer/statistics/``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.statistics import views

app_name = "statistics"

urlpatterns = [
    path(_("statistics/"), views.dli_statistics, name="dli"),
    path(_("officer/statistics/"), views.officer_statistics, name="officer"),
]
