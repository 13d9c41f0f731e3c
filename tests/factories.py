from dataclasses import dataclass

import factory
from allauth.account.models import EmailAddress

from loaportal.accounts.models import User
from loaportal.institutions.models import Institution, Membership

PASSWORD = "correct horse battery staple maple"
# The authenticator app every staff account made here has (officers must have a second
# factor): ``totp_code(user)`` gives a code it would show.
OFFICER_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(user, *, secret: str = OFFICER_TOTP_SECRET) -> str:
    """A code of the user's authenticator app that the portal has not accepted yet: the
    current time step's, or the next one's when the current one was used (the portal allows
    one step of drift either way)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from loaportal.accounts.mfa import LAST_STEP_KEY

    row = Authenticator.objects.filter(user=user, type="totp").first()
    last = int(row.data.get(LAST_STEP_KEY, -1)) if row else -1
    now = int(time.time()) // 30
    step = max(now - 1, last + 1)
    assert step <= now + 1, "three codes of this account were used in the last 30 seconds"
    return format_hotp_value(hotp_value(secret, step))


def add_totp(user, *, secret: str = OFFICER_TOTP_SECRET):
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.create(user=user, type="totp", data={"secret": secret})


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    dli_number = factory.Sequence(lambda n: f"O{19390000000 + n:011d}")
    name_en = factory.Sequence(lambda n: f"Test College {n}")
    name_fr = factory.Sequence(lambda n: f"Collège d'essai {n}")
    province = Institution.Province.ON


class UserFactory(factory.django.DjangoModelFactory):
    """A user who has signed up and confirmed their email address."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@college.example")
    surname = factory.Faker("last_name")
    given_names = factory.Faker("first_name")
    phone = "+16135550123"
    preferred_language = "en"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Staff accounts (officers) get an authenticator app (``OFFICER_TOTP_SECRET``), as
        the portal requires; ``second_factor=False`` leaves it out."""
        if create and self.is_staff and extracted is not False:
            add_totp(self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Membership.Role.SECONDARY


class OfficerFactory(UserFactory):
    """An IRCC officer: a staff account with no DLI membership."""

    email = factory.Sequence(lambda n: f"officer{n}@ircc.example")
    is_staff = True


@dataclass
class Dli:
    institution: Institution
    primary: User
    secondaries: list[User]


def dli_with_users(*, name: str = "college", secondaries: int = 2) -> Dli:
    """A DLI with a primary user and ``secondaries`` secondary users, emails under ``name``."""
    institution = InstitutionFactory()
    domain = f"{name}.example"
    primary = MembershipFactory(
        institution=institution, role=Membership.Role.PRIMARY, user__email=f"primary@{domain}"
    ).user
    others = [
        MembershipFactory(
            institution=institution,
            role=Membership.Role.SECONDARY,
            user__email=f"secondary{index}@{domain}",
        ).user
        for index in range(1, secondaries + 1)
    ]
    return Dli(institution=institution, primary=primary, secondaries=others)
