"""Browser and system from a User-Agent string, for people reading their sessions.

ua-parser applies the uap-core rules (kept up to date in the ua-parser-builtins package); the
first call loads the rules (about half a second), later calls are cached.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ua_parser import parse

UNKNOWN = "Other"


def user_agent_describe(user_agent: str) -> str:
    """ "Chrome on Windows", "Mobile Safari on iOS"; what is known when only part is; "" when
    there is no User-Agent at all."""
    if not user_agent:
        return ""
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else UNKNOWN
    system = result.os.family if result.os else UNKNOWN
    if browser != UNKNOWN and system != UNKNOWN:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser != UNKNOWN:
        return browser
    if system != UNKNOWN:
        return _("Unknown browser on %(system)s") % {"system": system}
    return _("Unknown browser")
