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

        from loaportal.accounts.mfa import connect_signals, officer_second_factor_gate
        from loaportal.core.access import register_gate

        # Officers set up a second factor before any other page (ADR 0016); audit entries for
        # allauth.mfa's events.
        register_gate(officer_second_factor_gate)
        connect_signals()
