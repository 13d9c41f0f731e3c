#!/usr/bin/env bash
# How fast `make test` runs the checks that existed when the accounts stage ended, then and now.
#
# Issue 7 set the target "`make test` at least 30% faster on a fresh clone than today (167 s)"
# when the suite had 149 tests; later issues added some 750 more (browser journeys in both
# languages, phone and axe sweeps of every page, multi-process and fault tests). This benchmark
# compares like with like, on the same machine at the same moment:
#   then: a fresh clone of BASE (the accounts stage's last commit), `make test`;
#   now:  a fresh clone of HEAD, `make test` with pytest restricted to the tests whose names
#         existed in BASE (117 of its 120 test functions still exist, most with more cases
#         now: both languages, both roles), and lint with the checks added since (import-linter,
#         mypy) — so "now" does more than "then".
# Each clone's environment is installed first and not timed. Prints both wall times, the CPU
# time each used (children included) and the ratio. Takes about 10 minutes; run it on an
# otherwise idle machine.
#
#   benchmarks/test_suite_speed.sh [BASE]      (default: 5360606, 2026-11-27)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${1:-5360606}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

git clone -q "$ROOT" "$WORK/then"
git -C "$WORK/then" checkout -q "$BASE"
git clone -q "$ROOT" "$WORK/now"
for tree in then now; do
  echo "== installing $tree ($(git -C "$WORK/$tree" rev-parse --short HEAD)) =="
  make -C "$WORK/$tree" --no-print-directory install >"$WORK/install-$tree.log" 2>&1 \
    || { tail -20 "$WORK/install-$tree.log"; exit 1; }
done

# The tests of "then", by function name, as "now" collects them.
grep -rhoE "^(async )?def test_[A-Za-z0-9_]+" "$WORK/then/tests" | sed -E 's/.*def //' | sort -u \
  >"$WORK/names.txt"
(cd "$WORK/now" && .venv/bin/pytest --collect-only -q -p no:cacheprovider) >"$WORK/now-ids.txt"
python3 - "$WORK/names.txt" "$WORK/now-ids.txt" >"$WORK/selection.txt" <<'EOF'
import sys
names = set(open(sys.argv[1]).read().split())
for line in open(sys.argv[2]):
    test_id = line.strip()
    if "::" in test_id and test_id.rsplit("::", 1)[1].split("[", 1)[0] in names:
        print(test_id)
EOF
then_count=$(cd "$WORK/then" && .venv/bin/pytest --collect-only -q -p no:cacheprovider | grep -c '::' || true)
now_count=$(wc -l <"$WORK/selection.txt")
kept=$(cut -d: -f3 "$WORK/selection.txt" | sed 's/\[.*//' | sort -u | wc -l)
echo "then: $(wc -l <"$WORK/names.txt") test functions, $then_count tests"
echo "now:  $kept of those functions, $now_count tests"

busy() {  # busy FILE: CPU seconds the whole machine has spent so far (user, nice, system, irq)
  awk -v hz="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz}' /proc/stat >"$1"
}
# "CPU" is what time(1) counts: the processes `make test` waited for. Chromium's renderer
# processes are not among them (their time never reaches the process tree), and they do most of
# the browser tests' work; "machine busy" counts them (and, on a machine that is not idle,
# everything else that ran meanwhile).
measure() {  # measure NAME DIR [make args]: wall and CPU seconds of `make test`
  local name="$1" dir="$2"; shift 2
  local out="$WORK/$name.log"
  local start end
  busy "$WORK/$name.busy0"
  start=$(date +%s.%N)
  /usr/bin/env time -f '%U %S' -o "$WORK/$name.cpu" make -C "$dir" --no-print-directory test "$@" \
    >"$out" 2>&1 || { tail -40 "$out"; echo "make test failed in $name" >&2; exit 1; }
  end=$(date +%s.%N)
  busy "$WORK/$name.busy1"
  python3 - "$name" "$start" "$end" "$WORK/$name.cpu" "$out" "$WORK/$name.busy0" "$WORK/$name.busy1" <<'EOF'
import re, sys
name, start, end, cpu_file, log, busy0, busy1 = sys.argv[1:]
user, system = map(float, open(cpu_file).read().split()[-2:])
machine = float(open(busy1).read()) - float(open(busy0).read())
summary = [line for line in open(log) if re.search(r"\d+ passed", line)]
print(f"{name}: {float(end) - float(start):6.1f} s wall, {user + system:6.1f} s CPU "
      f"(machine busy {machine:6.1f} s) — {summary[-1].strip('= ').strip() if summary else '?'}")
with open(f"{cpu_file}.wall", "w") as f:
    f.write(str(float(end) - float(start)))
EOF
}

measure then "$WORK/then"
measure now "$WORK/now" PYTEST_ARGS="@$WORK/selection.txt"
python3 - "$WORK/then.cpu.wall" "$WORK/now.cpu.wall" <<'EOF'
import sys
then, now = (float(open(p).read()) for p in sys.argv[1:])
change = (1 - now / then) * 100
said = f"{change:.0f}% faster" if change >= 0 else f"{-change:.0f}% slower"
print(f"now / then = {now / then:.2f} ({said}; the target is at least 30% faster)")
EOF
