"""The benchmark's result file, its table in docs/performance.md, and the comparison with the
previous run (``benchmarks/run.py`` calls these; ``python benchmarks/report.py`` redoes the
table and the comparison from the latest result file)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Which locust request is "the page" in each phase (a sign-in phase makes several requests).
MAIN_REQUEST = {
    "code_page_fast_smtp": "code page",
    "code_page_slow_smtp": "code page",
    "signin_storm": "complete sign-in (password + emailed code)",
}
QUEUE_PAGES = ("queue", "queue_search", "queue_filter", "queue_far_page")
REGRESSION = 1.2  # 20 % slower (p95) or 20 % fewer requests per second


def main_figure(key: str, phase: dict) -> dict:
    figures = phase.get("figures", {})
    name = MAIN_REQUEST.get(key)
    if name in figures:
        return figures[name]
    return next(iter(figures.values()), {})


def write(result: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = result["date"].replace(":", "").replace("-", "")[:15]
    path = directory / f"{stamp}.json"
    result["targets"] = targets(result)
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    return path


def _pages(result: dict) -> list[tuple[str, dict, dict | None]]:
    """(page key, its phase on the big data set, the same on the small one)."""
    phases = result["phases"]
    rows = []
    for key, phase in phases.items():
        if key.startswith("big:") and ":round_" not in key:
            page = key[4:]
            rows.append((page, phase, phases.get(f"small:{page}")))
    return rows


def _queries(result: dict, size: str, phase: dict) -> int | None:
    name = next(iter(phase.get("figures", {})), None)
    counted = result.get("queries", {}).get(size, {}).get(name)
    return counted["queries"] if counted else None


def targets(result: dict) -> list[dict]:
    phases = result["phases"]
    ceiling = main_figure("ceiling", phases.get("ceiling", {})).get("rps") or 0
    out: list[dict] = []

    def add(name: str, value, target: str, met: bool | None) -> None:
        out.append({"target": name, "value": value, "goal": target, "met": met})

    for page, big, _small in _pages(result):
        if page in QUEUE_PAGES and ceiling:
            share = (main_figure(page, big).get("rps") or 0) / ceiling
            add(f"{page}: throughput / bare view", f"{share:.1%}", "≥ 50 %", share >= 0.5)
    # "Per page": the pages read (GET); the writes (a decision, a batch, a sign-in step) are
    # shown beside them, not held to the pages' figure.
    writes = ("API batch", "sign-in", "decision POST")
    counted_by_size = {size: result.get("queries", {}).get(size, {}) for size in ("big", "small")}
    for size, counted in counted_by_size.items():
        worst = max(counted.items(), key=lambda item: item[1]["queries"], default=None)
        pages = {k: v for k, v in counted.items() if not k.startswith(writes)}
        top_name, top = max(
            ((k, v["queries"]) for k, v in pages.items()), key=lambda kv: kv[1], default=("", 0)
        )
        add(
            f"SQL queries per page ({size} data set), most",
            f"{top} ({top_name})" if top_name else top,
            "≤ 8",
            top <= 8,
        )
        if worst:
            add(
                f"SQL queries, most of any request, writes included ({size})",
                f"{worst[1]['queries']} ({worst[0]})",
                "",
                None,
            )
    big_counts, small_counts = counted_by_size["big"], counted_by_size["small"]
    differ = sorted(
        name
        for name in big_counts.keys() & small_counts.keys()
        if big_counts[name]["queries"] != small_counts[name]["queries"]
    )
    if big_counts and small_counts:
        add(
            "SQL queries the same with 1,000,000 and 10,000 requests",
            "all the same" if not differ else "differ: " + ", ".join(differ),
            "same",
            not differ,
        )
    for page, big, small in _pages(result):
        if small is None:
            continue
        p95_big, p95_small = (
            main_figure(page, big).get("p95_ms"),
            main_figure(page, small).get("p95_ms"),
        )
        if p95_big and p95_small:
            ratio = p95_big / p95_small
            add(f"{page}: p95 growth 1,000,000 / 10,000", round(ratio, 2), "≤ 1.3", ratio <= 1.3)
    batch = phases.get("api_batch")
    if batch:
        rate = batch.get("decisions_per_second") or 0
        add("batch API: decisions per second", rate, "≥ 2,000", rate >= 2000)
        wanted = result["parameters"]["batch_decisions"]
        add(
            "batch API: decided within the time box",
            f"{batch.get('decided', 0):,} of {wanted:,}",
            f"{wanted:,} in ≤ 300 s",
            batch.get("decided", 0) >= wanted and batch["seconds"] <= 300,
        )
    decision_file = phases.get("decision_file")
    if decision_file:
        total = decision_file["total_seconds"]
        add("decision file of 10,000 rows: check + record (s)", total, "≤ 10", total <= 10)
    storm = phases.get("signin_storm")
    if storm:
        flow = main_figure("signin_storm", storm)
        errors = sum(f["failures"] for f in storm["figures"].values())
        done = flow.get("requests", 0)
        wanted = result["parameters"]["storm"]
        add(
            "sign-in storm: complete sign-ins without error",
            f"{done - flow.get('failures', 0)} of {wanted} ({errors} failed requests)",
            "all, no error",
            errors == 0 and done == wanted,
        )
        add(
            "sign-in storm: RSS of the portal's server processes (MiB)",
            storm["rss_mib"],
            "≤ 1,024",
            storm["rss_mib"] <= 1024,
        )
    fast = phases.get("code_page_fast_smtp")
    slow = phases.get("code_page_slow_smtp")
    if fast and slow:
        for name in ("code page", "sign-in: password (sends the code)"):
            f95 = fast["figures"].get(name, {}).get("p95_ms")
            s95 = slow["figures"].get(name, {}).get("p95_ms")
            if f95 and s95:
                add(
                    f"{name}: p95 slow SMTP / fast SMTP",
                    round(s95 / f95, 2),
                    "≤ 1.2",
                    s95 / f95 <= 1.2,
                )
    return out


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(result: dict) -> str:
    phases = result["phases"]
    m = result["machine"]
    ceiling = main_figure("ceiling", phases.get("ceiling", {}))
    lines = [
        f"Run of {result['date']} (commit {m.get('commit')}), "
        f"{result.get('wall_seconds', 0) / 60:.1f} min wall time "
        f"(seeding {result.get('seeding_seconds', 0) / 60:.1f} min).",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; load average at start "
        f"{', '.join(str(x) for x in m['load_average_at_start'])}; {m['os']}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        "",
        f"Ceiling (bare Django view, no middleware, same gunicorn configuration): "
        f"**{_fmt(ceiling.get('rps'))} req/s**, p50 {_fmt(ceiling.get('p50_ms'))} ms, "
        f"p95 {_fmt(ceiling.get('p95_ms'))} ms.",
        "",
        *_ladder(phases, ceiling),
        "| Page (1,000,000 requests) | req/s | % of bare | p50 ms | p95 ms | p99 ms | SQL/req | "
        "p95 at 10,000 | growth | SQL/req at 10,000 | RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page, big, small in _pages(result):
        f = main_figure(page, big)
        fs = main_figure(page, small) if small else {}
        share = (f.get("rps") or 0) / ceiling["rps"] if ceiling.get("rps") else None
        growth = (f["p95_ms"] / fs["p95_ms"]) if f.get("p95_ms") and fs.get("p95_ms") else None
        name = next(iter(big["figures"]), page)
        failures = f.get("failures", 0)
        lines.append(
            f"| {name}{f' ({failures} failed)' if failures else ''} | {_fmt(f.get('rps'))} | "
            f"{f'{share:.0%}' if share is not None else '–'} | {_fmt(f.get('p50_ms'))} | "
            f"{_fmt(f.get('p95_ms'))} | {_fmt(f.get('p99_ms'))} | "
            f"{_fmt(_queries(result, 'big', big))} | "
            f"{_fmt(fs.get('p95_ms'))} | {f'{growth:.2f}' if growth else '–'} | "
            f"{_fmt(_queries(result, 'small', small) if small else None)} | "
            f"{_fmt(big.get('rss_mib'))} |"
        )
    lines += [
        "",
        "| Sign-in and writes | requests | failed | req/s | p50 ms | p95 ms | p99 ms | SQL/req "
        "| RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    big_queries = result.get("queries", {}).get("big", {})
    for key in ("code_page_fast_smtp", "signin_storm", "code_page_slow_smtp", "api_batch"):
        phase = phases.get(key)
        if not phase:
            continue
        for name, f in phase["figures"].items():
            counted = big_queries.get(name, {}).get("queries")
            lines.append(
                f"| {key}: {name} | {_fmt(f['requests'])} | {_fmt(f['failures'])} | "
                f"{_fmt(f['rps'])} | "
                f"{_fmt(f['p50_ms'])} | {_fmt(f['p95_ms'])} | {_fmt(f['p99_ms'])} | "
                f"{_fmt(counted)} | "
                f"{_fmt(phase['rss_mib'])} |"
            )
    workers = phases.get("signin_storm:with_task_workers")
    if workers:
        lines += [
            "",
            "Portal and its two task workers together, after the storm: "
            f"{workers['rss_mib']} MiB RSS.",
        ]
    lines += ["", "| Target | Value | Goal | Met |", "|---|---|---|---|"]
    for t in result.get("targets") or targets(result):
        met = {True: "yes", False: "**no**", None: ""}[t["met"]]
        lines.append(f"| {t['target']} | {_fmt(t['value'])} | {t['goal']} | {met} |")
    return "\n".join(lines)


def _ladder(phases: dict, ceiling: dict) -> list[str]:
    """From the bare view to a signed-in page, each step's throughput against the bare view."""
    steps = [(k, v) for k, v in phases.items() if k.startswith("ladder:")]
    if not steps:
        return []
    lines = [
        "| From the bare view to a signed-in page | req/s | % of bare | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
        f"| bare Django view (no middleware) | {_fmt(ceiling.get('rps'))} | 100% | "
        f"{_fmt(ceiling.get('p50_ms'))} | {_fmt(ceiling.get('p95_ms'))} |",
    ]
    for _key, phase in steps:
        for name, f in phase["figures"].items():
            share = (f.get("rps") or 0) / ceiling["rps"] if ceiling.get("rps") else None
            lines.append(
                f"| {name} | {_fmt(f.get('rps'))} | "
                f"{f'{share:.0%}' if share is not None else '–'} | "
                f"{_fmt(f.get('p50_ms'))} | {_fmt(f.get('p95_ms'))} |"
            )
    return [*lines, ""]


def write_docs(result_path: Path, docs: Path) -> None:
    result = json.loads(result_path.read_text())
    note = f"<!-- generated by `make bench` from {result_path.name}: do not edit -->"
    block = f"{START}\n{note}\n{table(result)}\n{END}"
    text = docs.read_text() if docs.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    docs.write_text(before + block + after)


def print_summary(result: dict) -> None:
    print()
    for t in result.get("targets") or targets(result):
        met = {True: "met", False: "NOT MET", None: ""}[t["met"]]
        print(f"  {t['target']:62} {_fmt(t['value']):>24}  {t['goal']:>16}  {met}")


def previous(result_path: Path) -> Path | None:
    older = sorted(p for p in result_path.parent.glob("*.json") if p.name < result_path.name)
    return older[-1] if older else None


def print_regressions(result_path: Path) -> list[str]:
    before_path = previous(result_path)
    if before_path is None:
        print("\nNo previous result to compare with.")
        return []
    now, before = json.loads(result_path.read_text()), json.loads(before_path.read_text())
    found = []
    for key, phase in now["phases"].items():
        old = before["phases"].get(key)
        if not old or "figures" not in phase:
            continue
        for name, f in phase["figures"].items():
            o = old.get("figures", {}).get(name)
            if not o or not o.get("p95_ms") or not f.get("p95_ms"):
                continue
            if f["p95_ms"] > o["p95_ms"] * REGRESSION:
                found.append(f"{key} / {name}: p95 {o['p95_ms']:.0f} → {f['p95_ms']:.0f} ms")
            if o.get("rps") and f["rps"] * REGRESSION < o["rps"]:
                found.append(f"{key} / {name}: {o['rps']:.1f} → {f['rps']:.1f} req/s")
    for size in ("big", "small"):
        for name, counted in now.get("queries", {}).get(size, {}).items():
            o = before.get("queries", {}).get(size, {}).get(name)
            if o and counted["queries"] > o["queries"]:
                found.append(f"{size} / {name}: SQL queries {o['queries']} → {counted['queries']}")
    print(f"\nCompared with {before_path.name}: " + ("no regression." if not found else ""))
    for line in found:
        print(f"  REGRESSION {line}")
    return found


if __name__ == "__main__":
    results = Path(__file__).resolve().parent / "results"
    latest = sorted(results.glob("*.json"))[-1]
    docs = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
    if "--docs" in sys.argv:
        write_docs(latest, docs)
    print_summary(json.loads(latest.read_text()))
    print_regressions(latest)
