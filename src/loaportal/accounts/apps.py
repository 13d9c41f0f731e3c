from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "loaportal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from loaportal.accounts.allauth_internals import internal_ratelimit
        from loaportal.core import ratelimit

        # allauth's rate limits (and the portal's, which use allauth's decorator) count with
        # the portal's atomic counters.
        ratelimit.install(internal_ratelimit)
