from django.urls import path
from django.utils.translation import gettext_lazy as _

from loaportal.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path(_("api-access/webhooks/"), views.endpoints, name="endpoints"),
    path(_("api-access/webhooks/<int:pk>/remove/"), views.endpoint_remove, name="endpoint_remove"),
]
