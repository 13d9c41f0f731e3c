from dataclasses import dataclass

import factory
from allauth.account.models import EmailAddress

from loaportal.accounts.models import User
from loaportal.institutions.models import Institution, Membership

PASSWORD = "correct horse battery staple maple"


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
