"""The first published version of the portal's terms and conditions (see migration 0002)."""

VERSION = "2026-1"

TITLE_FR = "Modalités d'utilisation du portail de vérification des lettres d'acceptation"
TITLE_EN = "Terms and conditions of the letter of acceptance verification portal"

TEXT_FR = """\
1. Le portail sert uniquement à vérifier les lettres d'acceptation présentées à l'appui de demandes de permis d'études, au nom de l'établissement d'enseignement désigné (EED) auquel votre compte est rattaché.

2. Votre compte est personnel. Ne communiquez à personne votre mot de passe ni les codes de vérification envoyés à votre adresse électronique. Chaque utilisateur de l'EED doit avoir son propre compte et sa propre adresse électronique.

3. Vous confirmez que les renseignements que vous fournissez dans le portail sont exacts et complets au mieux de votre connaissance. Une réponse de vérification est définitive une fois soumise.

4. Les renseignements personnels des étudiants affichés dans le portail sont protégés. Utilisez-les uniquement pour la vérification et ne les copiez pas hors des systèmes autorisés de votre EED.

5. Les activités dans le portail sont journalisées (connexions, invitations, réponses) afin d'assurer la sécurité et l'intégrité du programme.

6. Signalez sans délai à l'utilisateur principal de votre EED toute utilisation non autorisée de votre compte ou tout départ d'un employé qui doit perdre son accès.

7. Ces modalités peuvent être mises à jour. Vous devrez alors les accepter de nouveau avant de continuer à utiliser le portail.
"""

TEXT_EN = """\
1. The portal is used only to verify letters of acceptance submitted with study permit applications, on behalf of the designated learning institution (DLI) your account belongs to.

2. Your account is personal. Do not share your password or the verification codes sent to your email address with anyone. Each DLI user must have their own account and their own email address.

3. You confirm that the information you provide in the portal is accurate and complete to the best of your knowledge. A verification response is final once submitted.

4. The students' personal information shown in the portal is protected. Use it only for verification and do not copy it outside your DLI's authorized systems.

5. Activity in the portal is logged (sign-ins, invitations, responses) to protect the security and integrity of the program.

6. Report to your DLI's primary user without delay any unauthorized use of your account, or any employee who leaves and must lose access.

7. These terms may be updated. You will then need to accept them again before you continue to use the portal.
"""


def initial_terms_fields() -> dict:
    return {"title_fr": TITLE_FR, "title_en": TITLE_EN, "text_fr": TEXT_FR, "text_en": TEXT_EN}
