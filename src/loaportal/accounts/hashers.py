"""Argon2id with parameters chosen for a portal server, not Django's 100 MiB default.

19 MiB, 2 passes, 1 lane is OWASP's recommended minimum for Argon2id: a sign-in costs about
19 MiB of memory and roughly 30–60 ms of one core here, so 20 simultaneous sign-ins need
under 400 MiB instead of 2 GiB. ``benchmarks/password_hashing.py`` measures it. Django rehashes
stored passwords on the next sign-in whenever these parameters change.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same prefix as Django's: existing hashes stay verifiable
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
