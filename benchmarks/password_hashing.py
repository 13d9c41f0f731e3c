"""Measure the cost of one password check with the portal's Argon2id parameters.

Prints time per hash and the memory each concurrent sign-in needs, beside Django's defaults,
so the choice in ``loaportal.accounts.hashers`` can be checked on the target server.

    .venv/bin/python benchmarks/password_hashing.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

from argon2 import PasswordHasher, Type

CANDIDATES = {
    "portal (19 MiB, t=2, p=1)": {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1},
    "django default (100 MiB, t=2, p=8)": {"memory_cost": 102400, "time_cost": 2, "parallelism": 8},
}


def measure(params: dict, rounds: int) -> list[float]:
    hasher = PasswordHasher(type=Type.ID, **params)
    stored = hasher.hash("correct horse battery staple maple")
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        hasher.verify(stored, "correct horse battery staple maple")
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    print(
        f"{'parameters':40} {'median ms':>10} {'p95 ms':>8} {'MiB/sign-in':>12} {'MiB for 20':>11}"
    )
    for name, params in CANDIDATES.items():
        timings = sorted(measure(params, args.rounds))
        median = statistics.median(timings) * 1000
        p95 = timings[int(0.95 * (len(timings) - 1))] * 1000
        mib = params["memory_cost"] / 1024
        print(f"{name:40} {median:10.1f} {p95:8.1f} {mib:12.0f} {mib * 20:11.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
