"""Turns bench/out/results.json into docs/benchmarks.md and docs/benchmarks.png.

Only arithmetic on the recorded numbers happens here (medians, spreads,
per-round ratios); the analysis of why a figure is what it is lives in
bench/findings.md, which is appended to the generated page as written.
"""
import json
import os
import shutil
import statistics
import subprocess
import tempfile

import redact_rows  # the --redact rows' section

HERE = os.path.dirname(os.path.abspath(__file__))
CLAW = "claw-init"
HEALTH_OFF = "claw-init (health off)"
NOTIFY = "claw-init (upstream + sd_notify)"
ORDER = [CLAW, HEALTH_OFF, NOTIFY, "tini", "tini-static", "dumb-init", "catatonit"]
PEERS = ["tini", "tini-static", "dumb-init", "catatonit"]
MODES = [("subreaper", "not PID 1"), ("pid1", "PID 1")]


def summary(values):
    vals = [v for v in (values or []) if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def ratio(a, b):
    # A ratio to a value at or below zero (an overhead lost in the noise) says nothing.
    rs = [x / y for x, y in zip(a or [], b or []) if x is not None and y is not None and y > 0 and x >= 0]
    return summary(rs)


def num(x, digits=None):
    if x is None:
        return "–"
    if digits is None:
        ax = abs(x)
        digits = 0 if ax >= 100 else 1 if ax >= 10 else 2 if ax >= 1 else 3
    return f"{x:,.{digits}f}"


def cell(s, digits=None):
    if not s:
        return "–", "–"
    if s["n"] == 1:
        return num(s["median"], digits), "(1 round)"
    return num(s["median"], digits), f"{num(s['min'], digits)} – {num(s['max'], digits)}"


def ratio_cell(r):
    if not r:
        return "–"
    return f"{r['median']:.2f}×"


def names_in(d):
    return [n for n in ORDER if n in d]


def table(rows_by_name, unit, digits=None, ratio_against=CLAW, lower_is_better=True):
    """One table: init | median | spread | claw-init ÷ init, from per-round lists."""
    out = [f"| init | median ({unit}) | spread (min – max) | {ratio_against} ÷ init |", "|---|---:|---:|---:|"]
    for name in names_in(rows_by_name):
        med, spread = cell(summary(rows_by_name[name]), digits)
        r = "–" if name.startswith(CLAW) else ratio_cell(ratio(rows_by_name.get(ratio_against), rows_by_name[name]))
        out.append(f"| {name} | {med} | {spread} | {r} |")
    return "\n".join(out)


def med(values):
    s = summary(values)
    return s["median"] if s else None


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


class Page:
    def __init__(self, res):
        self.res = res
        self.lines = []
        self.summary_rows = []

    def add(self, *lines):
        self.lines.extend(lines)

    def target(self, figure, claw_value, peer_value, target, ok):
        self.summary_rows.append(f"| {figure} | {claw_value} | {peer_value} | {target} | {verdict(ok)} |")


def section_start(p):
    st = p.res.get("start")
    if not st:
        return
    p.add("## Start overhead", "",
          "`INIT -- /bin/true` minus plain `/bin/true`, each the median of the hyperfine runs of one round "
          "(`hyperfine -N`, no shell; a round is cut into slices of about 30 runs per command, each slice "
          "starting with another command, so a drift of the machine's speed falls on every init alike); as PID 1 both commands run under `unshare --pid --fork` (no new /proc "
          "mount: it would cost more than any init's start, and no init here reads /proc as PID 1). "
          "claw-init has its health server on (its default) unless the row says otherwise; tini gets `-s` when "
          "it is not PID 1, as a user would pass.", "")
    for mode, title in MODES:
        d = st.get(mode)
        if not d:
            continue
        p.add(f"### {title}", "", table(d["overhead_ms"], "ms added"), "",
              f"Plain `/bin/true` took {num(med(d['baseline_ms']))} ms (median).", "")
        if d.get("cpu_overhead_ms"):
            p.add("CPU time (user + system, mean per start) added to that of plain `/bin/true`: it drifts less "
                  "with the machine's load than wall time.", "", table(d["cpu_overhead_ms"], "CPU ms added"), "")
    parts, peers, ok = [], [], True
    for mode, title in MODES:
        o = st[mode]["overhead_ms"]
        r = ratio(o.get(CLAW), o.get("tini"))
        parts.append(f"{num(med(o.get(CLAW)))} ms {title} ({ratio_cell(r)} tini)")
        peers.append(f"tini {num(med(o.get('tini')))} ms, tini-static {num(med(o.get('tini-static')))} ms {title}")
        ok = ok and r is not None and r["median"] <= 1.5
    p.target("start overhead", "; ".join(parts), "; ".join(peers), "≤ 1.5× tini's overhead", ok)


def section_config(p):
    c = p.res.get("config_start")
    if c is None:
        return
    p.add("## Start with a config patch", "")
    if not c.get("available"):
        probe = c.get("probe", {})
        p.add("Not measured: this build does not patch the runtime's config at start-up yet "
              f"(probe: `{probe.get('startup_note', '')}`).", "")
        p.target("start with config patch", "–", "–", "< 5 ms added", None)
        return
    p.add(f"{c['vars']} `CLAW_CONFIG__` variables into a {c['size_bytes'] // 1024} KiB JSON5 config, then `/bin/true`, "
          "minus the same start without a profile (both through `env -i`). The target is written with "
          f"fsync and rename: on the repository's file system ({c.get('target_fs_disk', '?')}) and on tmpfs.", "",
          "| target on | median (ms added) | spread (min – max) |", "|---|---:|---:|")
    for key, label in (("added_ms_disk", c.get("target_fs_disk", "disk")), ("added_ms_tmpfs", "tmpfs")):
        m, s = cell(summary(c[key]))
        p.add(f"| {label} | {m} | {s} |")
    p.add("")
    added = med(c["added_ms_disk"])
    p.target("start with config patch", f"+{num(added)} ms ({num(med(c['added_ms_tmpfs']))} ms on tmpfs)", "no peer patches",
             "< 5 ms added", added is not None and added < 5)


def section_patch(p):
    c = p.res.get("patch")
    if c is None:
        return
    p.add("## Patch throughput", "")
    if not c.get("available"):
        p.add("Not measured: this build does not patch the runtime's config at start-up yet "
              f"(`{c.get('probe', {}).get('startup_note', '')}`).", "")
        p.target("patch throughput", "–", "–", "< 20 ms each", None)
        return
    p.add("200 `CLAW_CONFIG__` variables into a 1 MiB document, the way start-up does it (read, parse, patch, "
          "serialize, write with fsync and rename; the target on tmpfs so the disk is not in the figure), then "
          "`/bin/true`; minus the same start without a profile. No peer patches configs.", "",
          "| format | size | median (ms) | spread (min – max) |", "|---|---:|---:|---:|")
    worst = None
    for fmt, d in c["formats"].items():
        if not d.get("works"):
            p.add(f"| {fmt} | {d['size_bytes'] // 1024} KiB | fails: `{d.get('note', '')}` | |")
            continue
        m, s = cell(summary(d["ms"]))
        p.add(f"| {fmt} | {d['size_bytes'] // 1024} KiB | {m} | {s} |")
        if fmt in ("json", "toml"):
            v = med(d["ms"])
            worst = v if worst is None or (v is not None and v > worst) else worst
    p.add("")
    js, tm = c["formats"].get("json", {}), c["formats"].get("toml", {})
    p.target("patch throughput (1 MiB)", f"JSON {num(med(js.get('ms')))} ms, TOML {num(med(tm.get('ms')))} ms", "–",
             "< 20 ms each", bool(worst is not None and worst < 20 and js.get("works") and tm.get("works")))


def section_size(p):
    s = p.res.get("size")
    if not s:
        return
    p.add("## Binary size", "", "| init | bytes | KiB | static | stripped | claw-init ÷ init |", "|---|---:|---:|---|---|---:|")
    claw = s.get(CLAW, {}).get("bytes")
    for name in names_in(s):
        d = s[name]
        r = "–" if name == CLAW else f"{claw / d['bytes']:.1f}×"
        p.add(f"| {name} | {d['bytes']:,} | {d['bytes'] / 1024:,.0f} | {'yes' if d['static'] else 'no (needs libc)'} | "
              f"{'yes' if d['stripped'] else 'no'} | {r} |")
    p.add("", "Dynamically linked peers also need the C library in the image (about 2 MiB of glibc).", "")
    p.target("binary size", f"{claw / 1024 / 1024:.2f} MiB static", f"tini-static {s['tini-static']['bytes'] / 1024:.0f} KiB",
             "< 3 MiB", claw < 3 * 1024 * 1024)


def section_idle(p):
    d = p.res.get("idle")
    if not d:
        return
    p.add("## Idle memory and wake-ups", "",
          "Each init supervises `sleep 1000`; all of them run at the same time. RSS (`VmRSS`) is read 5 s after "
          "the start; context switches (`voluntary_ctxt_switches`, summed over the init's threads) are counted "
          "over the next 10 s of idleness, when nothing talks to any of them.", "")
    ready = [v for m, _ in MODES for v in d.get("notify_ready", {}).get(m, [])]
    if ready:
        p.add(f"{NOTIFY} has a TCP upstream check (`--health-upstream tcp://...`) and `NOTIFY_SOCKET` set: it checks "
              "the upstream every 250 ms until it passes, sends READY=1, and must not wake again (the OOM counters "
              f"are read at a start and an exit only). READY=1 reached the socket in {sum(ready)} of {len(ready)} runs.", "")
    for mode, title in MODES:
        m = d.get(mode)
        if not m:
            continue
        p.add(f"### {title}", "", "| init | RSS (KiB) | spread | voluntary switches / 10 s | involuntary | threads | claw-init ÷ init (RSS) |",
              "|---|---:|---:|---:|---:|---:|---:|")
        for name in names_in(m["rss_kib"]):
            rm, rs = cell(summary(m["rss_kib"][name]), 0)
            r = "–" if name.startswith(CLAW) else ratio_cell(ratio(m["rss_kib"].get(CLAW), m["rss_kib"][name]))
            p.add(f"| {name} | {rm} | {rs} | {num(med(m['voluntary'][name]), 0)} | {num(med(m['involuntary'][name]), 0)} | "
                  f"{num(med(m['threads'][name]), 0)} | {r} |")
        p.add("")
    pid1 = d["pid1"]
    rss = max(med(pid1["rss_kib"].get(CLAW)) or 0, med(d["subreaper"]["rss_kib"].get(CLAW)) or 0)
    p.target("idle RSS", f"{rss / 1024:.2f} MiB", f"tini {num(med(pid1['rss_kib'].get('tini')) / 1024)} MiB, "
             f"catatonit {num(med(pid1['rss_kib'].get('catatonit')) / 1024)} MiB", "< 3 MiB", rss < 3 * 1024)
    off = max(max(v for v in d[m]["voluntary"].get(HEALTH_OFF, [0]) if v is not None) for m, _ in MODES)
    on = max(max(v for v in d[m]["voluntary"].get(CLAW, [0]) if v is not None) for m, _ in MODES)
    health = p.res.get("health_probe", {}).get("serving")
    worst = {"health off": off, "health on": on}
    if NOTIFY in pid1["voluntary"]:
        vals = [v for m, _ in MODES for v in d[m]["voluntary"].get(NOTIFY, [])]
        worst["upstream + sd_notify"] = None if None in vals else max(vals)
    p.target("idle wake-ups (10 s)", ", ".join(f"{num(v, 0)} {k}" for k, v in worst.items()) +
             ("" if health else " (health server not in this build)"),
             f"tini {num(med(pid1['voluntary'].get('tini')), 0)}", "0, health on and off",
             all(v == 0 for v in worst.values()) and all(ready))


def section_reap(p):
    d = p.res.get("reap")
    if not d:
        return
    p.add("## Reaping", "",
          f"The runtime (bench/helpers/reap_storm.cc) makes {d['n']:,} orphans, which the init inherits as PID 1; "
          "they all exit at the same moment, and the time runs until the last of them has been reaped "
          "(a reaped pid no longer answers `kill(pid, 0)`). This includes the kernel's own exit work, the same "
          "for every init.", "", table(d["reap_ms"], "ms"), "")
    p.add("| init | reaped (worst round) |", "|---|---:|")
    all_ok = True
    for name in names_in(d["reaped"]):
        worst = min((r if r is not None else -1) for r in d["reaped"][name])
        created = min((c if c is not None else 0) for c in d["created"][name])
        p.add(f"| {name} | {worst:,} of {created:,} |")
        if name == CLAW and worst != d["n"]:
            all_ok = False
    p.add("")
    p.target(f"reaping {d['n']:,} orphans", f"{num(med(d['reap_ms'].get(CLAW)))} ms "
             f"({ratio_cell(ratio(d['reap_ms'].get(CLAW), d['reap_ms'].get('tini')))} tini)",
             f"tini {num(med(d['reap_ms'].get('tini')))} ms", "all reaped", all_ok)


def section_signals(p):
    d = p.res.get("signals")
    if not d:
        return
    p.add("## Signal forwarding", "",
          f"A signal sent to the init (PID 1) until the runtime's handler runs; {d['rounds_per_run']:,} signals per "
          "round, 0.5 ms apart. Both ends read CLOCK_MONOTONIC (bench/helpers/sig_latency.cc). TERM is a stop for "
          "claw-init (it is forwarded as the stop signal; the grace is set to 1 h so the runtime lives through the run), "
          "a plain forward for the peers; USR1 is a plain forward for all.", "")
    for sig in ("TERM", "USR1"):
        s = d.get(sig)
        if not s:
            continue
        p.add(f"### {sig}", "", "| init | p50 (µs) | spread | p99 (µs) | spread | claw-init ÷ init (p50) | (p99) | lost |",
              "|---|---:|---:|---:|---:|---:|---:|---:|")
        for name in names_in(s["p50_us"]):
            m50, s50 = cell(summary(s["p50_us"][name]), 1)
            m99, s99 = cell(summary(s["p99_us"][name]), 1)
            if name.startswith(CLAW):
                r50 = r99 = "–"
            else:
                r50 = ratio_cell(ratio(s["p50_us"].get(CLAW), s["p50_us"][name]))
                r99 = ratio_cell(ratio(s["p99_us"].get(CLAW), s["p99_us"][name]))
            p.add(f"| {name} | {m50} | {s50} | {m99} | {s99} | {r50} | {r99} | {sum(x or 0 for x in s['lost'][name])} |")
        p.add("")
    t = d.get("TERM", {})
    p.target("signal forwarding (TERM, PID 1)",
             f"p50 {num(med(t['p50_us'].get(CLAW)), 1)} µs, p99 {num(med(t['p99_us'].get(CLAW)), 1)} µs",
             f"tini p50 {num(med(t['p50_us'].get('tini')), 1)} µs, p99 {num(med(t['p99_us'].get('tini')), 1)} µs",
             "next to tini's (p50 ≤ 1.5× here)", None if not t else
             sum(sum(x or 0 for x in t["lost"].get(n, [])) for n in (CLAW, HEALTH_OFF)) == 0
             and (ratio(t["p50_us"].get(CLAW), t["p50_us"].get("tini")) or {"median": 9})["median"] <= 1.5)


def section_stop(p):
    d = p.res.get("stop")
    if not d:
        return
    p.add("## Stop", "",
          "`docker stop` in small: TERM to the init, time until the init has exited. First with a runtime that "
          "ignores TERM (claw-init with `--stop-delay 0 --stop-grace 1s`: the TERM goes on at once, and it must "
          "SIGKILL the runtime's group 1 s later), then "
          "with a runtime that exits on TERM (`sleep`).", "",
          "### Runtime ignores TERM", "", "| init | as | median (ms) | spread |", "|---|---|---:|---:|")
    worst = None
    for mode, title in MODES:
        for name in names_in(d["ignoring"][mode]):
            m, s = cell(summary(d["ignoring"][mode][name]), 0)
            p.add(f"| {name} | {title} | {m} | {s} |")
            vals = [v for v in d["ignoring"][mode][name] if v is not None]
            if len(vals) != len(d["ignoring"][mode][name]):
                worst = float("inf")
            elif vals:
                worst = max(worst or 0, max(vals))
    for mode, title in MODES:
        for name in names_in(d.get("peers_ignoring", {}).get(mode, {})):
            alive = d["peers_ignoring"][mode][name]["alive_after_3s"]
            p.add(f"| {name} | {title} | {'still running 3 s after TERM: no stop grace' if alive else 'exited'} | |")
    p.add("", "The peers have no stop grace of their own: they pass TERM on and wait; the container engine's "
          "SIGKILL (after Docker's 10 s) ends them, runtime and all.", "",
          "### Runtime exits on TERM", "")
    for mode, title in MODES:
        p.add(f"{title}:", "", table(d["cooperative"][mode], "ms"), "")
    p.target("stop, TERM ignored, delay 0, grace 1 s", f"{num(worst / 1e3 if worst not in (None, float('inf')) else None)} s worst",
             "peers: never (no grace)", "1.0 – 1.1 s", None if worst is None else 1000 <= worst <= 1100)


def section_health(p):
    d = p.res.get("health")
    if d is None:
        return
    p.add("## Health endpoint", "")
    runs = [r for r in d.get("runs", []) if "error" not in r]
    if not d.get("runs") or not runs:
        p.add("Not measured: this build of claw-init does not serve `/health` yet "
              "(`claw-init -- sleep 100` does not answer on 127.0.0.1).", "")
        p.target("health under load", "–", "no peer has one", "≥ 5,000 req/s, p99 < 2 ms, RSS < 8 MiB", None)
        return
    p.add(f"`wrk -t2 -c50 -d{d['duration_s']}s --latency http://127.0.0.1:{d['port']}/health` against "
          "`claw-init -- sleep 1000`, on the same 2 cores as claw-init; RSS sampled every 100 ms during the run. "
          "No peer serves health, so there is no ratio.", "",
          "| figure | median | spread |", "|---|---:|---:|")
    pinned = [r for r in d.get("pinned_runs", []) if "error" not in r]
    paced = [r for r in d.get("paced_runs", []) if "error" not in r]
    columns = [("flat out, shared cores", runs)] + ([("flat out, pinned", pinned)] if pinned else []) + \
              ([("paced to 5,000 req/s", paced)] if paced else [])
    p.lines[-2:] = ["| figure | " + " | ".join(f"{t}: median | spread" for t, _ in columns) + " |",
                    "|---|" + "---:|---:|" * len(columns)]
    for key, label, digits in (("rps", "requests/s", 0), ("p50_ms", "p50 latency (ms)", 3), ("p99_ms", "p99 latency (ms)", 3),
                               ("rss_idle_kib", "RSS before (KiB)", 0), ("rss_max_kib", "RSS max during (KiB)", 0),
                               ("non2xx", "non-2xx answers", 0), ("threads", "threads", 0)):
        cells = []
        for _, rs in columns:
            m, sp = cell(summary([r.get(key) for r in rs]), digits)
            cells += [m, sp]
        p.add(f"| {label} | " + " | ".join(cells) + " |")
    p.add("")
    if pinned:
        p.add("Pinned: claw-init on CPU 0 and `wrk -t1` on CPU 1 (`taskset`), so the load generator does not take "
              "the server's CPU; what the server can do on one core of its own.", "")
    if paced:
        p.add("Flat out, wrk is a closed loop: 50 connections each send the next request the moment an answer "
              "arrives, so the latency is mostly the queue of the other 49 (50 ÷ requests/s). Paced: the same "
              "50 connections wait 9 ms after each answer (a wrk `delay()` hook), which asks about 5,000 times "
              "a second, the target rate; that p99 is the server's own answer time at that rate.", "")
    errs = {r.get("socket_errors") for r in runs if r.get("socket_errors")}
    if errs:
        p.add("wrk reported: " + "; ".join(sorted(errs)), "")
    rps, rss = (med([r.get(k) for r in runs]) for k in ("rps", "rss_max_kib"))
    p99_flat = med([r.get("p99_ms") for r in runs])
    # The p99 target is judged at the target rate when there is a paced run;
    # a closed loop's p99 is its queue.
    p99 = med([r.get("p99_ms") for r in paced]) if paced else p99_flat
    paced_rps = med([r.get("rps") for r in paced]) if paced else None
    text = f"{num(rps, 0)} req/s flat out (p99 {num(p99_flat, 2)} ms); "
    if paced:
        text += f"p99 {num(p99, 2)} ms at {num(paced_rps, 0)} req/s; "
    text += f"RSS {num(rss / 1024 if rss else None)} MiB"
    p.target("health under load", text, "no peer has one", "≥ 5,000 req/s, p99 < 2 ms, RSS < 8 MiB",
             rps is not None and p99 is not None and rss is not None and rps >= 5000 and p99 < 2 and rss < 8 * 1024)


def section_callgrind(p):
    d = p.res.get("callgrind")
    if not d:
        return
    p.add("## Instructions (callgrind)", "",
          "CPU instructions (`valgrind --tool=callgrind`, Ir) of the init process alone, not of its runtime: they do "
          "not drift with the machine's load, so `bench/check` compares them with bench/baseline.json (fails above "
          "+20%). Start-up scenarios run as PID 1.", "",
          "| scenario | instructions |", "|---|---:|")
    for name, v in d["claw"].items():
        p.add(f"| claw-init {name} | {num(v['ir'], 0) if v['ir'] else 'not available: ' + v['error']} |")
    for name, v in d.get("peers", {}).items():
        p.add(f"| {name} start (`-- /bin/true`, PID 1) | {num(v['ir'], 0) if v['ir'] else v['error']} |")
    p.add("")


def machine(p):
    m = p.res["meta"]
    pk = m.get("packages", {})
    p.add("## Machine and versions", "",
          "| | |", "|---|---|",
          f"| date | {m['date']} |",
          f"| machine | {m['cpu']}, {m['cores']} cores, {m['mem_mib']:,} MiB, kernel {m['kernel']}, Debian {m['debian']} |",
          f"| load average | {m['load_before'][0]:.2f} before, {m['load_after'][0]:.2f} after (1 min) |",
          f"| claw-init | {m['claw_init']} (git {m['git']}), {m['compiler']} |",
          f"| peers (Debian) | tini {pk.get('tini')} (tini and tini-static), dumb-init {pk.get('dumb-init')}, "
          f"catatonit {pk.get('catatonit')} |",
          f"| tools | hyperfine {pk.get('hyperfine')}, wrk {pk.get('wrk')}, valgrind {pk.get('valgrind')} |",
          f"| rounds | {p.res['rounds']}{' (quick run: not for publishing)' if p.res.get('quick') else ''}; run took {m['duration_s']:.0f} s |",
          "")


# ---------------------------------------------------------------------------
# Chart
# ---------------------------------------------------------------------------

def write_dat(path, names, series):
    """series: list of per-name lists (per-round values): writes label median min max ... per line."""
    with open(path, "w") as f:
        for name in names:
            cols = [f'"{name}"']
            for s in series:
                sm = summary(s.get(name))
                cols += [f"{sm['median']:.6g}", f"{sm['min']:.6g}", f"{sm['max']:.6g}"] if sm else ["0", "0", "0"]
            f.write(" ".join(cols) + "\n")


def write_png(res, png):
    if not shutil.which("gnuplot"):
        return "gnuplot not installed: no chart"
    work = tempfile.mkdtemp(prefix="bench-plot-")
    panels = []
    try:
        st = res.get("start")
        if st:
            names = names_in(st["pid1"]["overhead_ms"])
            write_dat(f"{work}/start.dat", names, [st["subreaper"]["overhead_ms"], st["pid1"]["overhead_ms"]])
            panels.append(("Start overhead (ms)", "start.dat", ["not PID 1", "PID 1"]))
        idle = res.get("idle")
        if idle:
            names = names_in(idle["pid1"]["rss_kib"])
            conv = {m: {n: [v / 1024 if v else None for v in idle[m]["rss_kib"][n]] for n in names} for m in ("subreaper", "pid1")}
            write_dat(f"{work}/rss.dat", names, [conv["subreaper"], conv["pid1"]])
            panels.append(("Idle RSS (MiB)", "rss.dat", ["not PID 1", "PID 1"]))
        sig = res.get("signals", {}).get("TERM")
        if sig:
            names = names_in(sig["p50_us"])
            write_dat(f"{work}/sig.dat", names, [sig["p50_us"], sig["p99_us"]])
            panels.append(("TERM forwarding as PID 1 (µs, log scale)", "sig.dat", ["p50", "p99"]))
        reap = res.get("reap")
        if reap:
            names = names_in(reap["reap_ms"])
            write_dat(f"{work}/reap.dat", names, [reap["reap_ms"]])
            panels.append((f"Reaping {reap['n']:,} orphans (ms)", "reap.dat", ["PID 1"]))
        size = res.get("size")
        if size:
            names = names_in(size)
            write_dat(f"{work}/size.dat", names, [{n: [size[n]["bytes"] / 1024] for n in names}])
            panels.append(("Binary size (KiB)", "size.dat", ["file"]))
        stop = res.get("stop", {}).get("cooperative")
        if stop:
            names = names_in(stop["pid1"])
            write_dat(f"{work}/stop.dat", names, [stop["subreaper"], stop["pid1"]])
            panels.append(("Stop, runtime exits on TERM (ms)", "stop.dat", ["not PID 1", "PID 1"]))
        if not panels:
            return "no data to chart"
        rows = (len(panels) + 2) // 3
        script = [
            "set terminal pngcairo size 1500,%d font 'DejaVu Sans,10'" % (430 * rows),
            f"set output '{png}'",
            f"set multiplot layout {rows},3 title 'claw-init and its peers, measured in the same run "
            f"(bars: median; whiskers: min – max over {res['rounds']} rounds)' font ',12'",
            "set style data histograms",
            "set style histogram errorbars gap 1 lw 1",
            "set style fill solid 0.75 border -1",
            "set boxwidth 0.9",
            "set xtics rotate by -25 scale 0 font ',9'",
            "set yrange [0:*]",
            "set grid ytics",
            "set key horizontal top center font ',9'",
            "set offsets 0, 0, graph 0.12, 0",
            "set bmargin 5",
        ]
        for title, dat, labels in panels:
            script.append(f"set title '{title}'")
            if "µs" in title:  # p50 and p99 differ by orders of magnitude
                script += ["set logscale y", "set yrange [1:*]"]
            else:
                script += ["unset logscale y", "set yrange [0:*]"]
            plots = []
            for k, label in enumerate(labels):
                c = 2 + 3 * k
                xt = ":xtic(1)" if k == 0 else ""
                plots.append(f"'{work}/{dat}' using {c}:{c + 1}:{c + 2}{xt} title '{label}'")
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        with open(f"{work}/plot.gp", "w") as f:
            f.write("\n".join(script) + "\n")
        r = subprocess.run(["gnuplot", f"{work}/plot.gp"], capture_output=True, text=True)
        if r.returncode != 0:
            return "gnuplot failed: " + r.stderr.strip()[-300:]
        return ""
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write(results_path, md_path, png_path):
    with open(results_path) as f:
        res = json.load(f)
    p = Page(res)
    body = Page(res)
    for fn in (section_start, section_config, section_size, section_idle, section_reap, section_signals,
               section_stop, section_health, redact_rows.section, section_patch, section_callgrind):
        fn(body)
    p.add("# Benchmarks: claw-init next to tini, dumb-init and catatonit", "",
          "Generated by `bench/run` (which installs the peers from Debian, builds the release binary, runs every "
          "benchmark below in one go and rewrites this page and `docs/benchmarks.png`). Do not edit the tables by "
          "hand; the findings at the end come from bench/findings.md.", "",
          "How to read it: every figure is the median over the rounds of one run, with the lowest and highest "
          "round as its spread. The peers are measured in the same rounds as claw-init, under the same "
          "conditions, and a ratio is the median of the per-round ratios (claw-init ÷ peer; below 1 means "
          "claw-init is smaller or faster), because absolute times on a shared machine drift.", "",
          "![claw-init and its peers](benchmarks.png)", "")
    machine(p)
    p.add("## Summary", "", "| figure | claw-init | peers | target | verdict |", "|---|---|---|---|---|")
    p.lines.extend(body.summary_rows)
    p.add("")
    p.lines.extend(body.lines)
    findings = os.path.join(HERE, "findings.md")
    if os.path.exists(findings):
        p.add(open(findings).read().rstrip(), "")
    os.makedirs(os.path.dirname(md_path), exist_ok=True)
    with open(md_path, "w") as f:
        f.write("\n".join(p.lines).rstrip() + "\n")
    note = write_png(res, png_path)
    if note:
        print(f"report: {note}")
    print(f"report: wrote {md_path}" + ("" if note else f" and {png_path}"))
    return 0
