#!/usr/bin/env python3
"""Two claw-init builds side by side, in the same rounds, with bench.py's own benchmarks.

  bench/ab.py A_NAME=A_BIN B_NAME=B_BIN [--rounds N] [--runs N] [--only start,idle,health,signals]
              [--duration S] [--out FILE]

For a design question ("is B better than A?") rather than the published page:
  start    bench.py's bench_start (hyperfine, slices rotated) with A, B, A with
           health off and tini in one list, as PID 1 and not
  idle     bench.py's bench_idle (RSS after 5 s, switches over 10 s), all at once
  health   bench.py's health_run (wrk -c50: shared cores, pinned, paced to
           5,000 req/s), A and B alternating within each round
  signals  USR1 forwarded as PID 1 (sig_latency, 1,000 signals 0.5 ms apart),
           idle and while wrk -c50 floods /health, A and B alternating

Each figure is the median over the rounds with the lowest and highest round;
"B / A" is the median of the per-round ratios. Needs root, wrk, hyperfine and
the helpers (bench/build-helpers). Results go to bench/out/ab.json.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def claw_init(name, binary, health=True):
    def argv(pid1, opts):
        listen = f"127.0.0.1:{bench.free_port()}" if health else "off"
        return [binary, "--health-listen", listen] + opts + ["--"]
    return bench.Init(name, binary, argv)


def wait_health(port):
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
            return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.05)
    return False


def signal_run(binary, load, count=1000, signo=signal.SIGUSR1):
    """USR1 to claw-init as PID 1 until the runtime's handler runs, with or
    without wrk flooding /health meanwhile."""
    helper = os.path.join(bench.HELPERS, "sig_latency")
    fifo, out = os.path.join(bench.OUT, "ab-sig.fifo"), os.path.join(bench.OUT, "ab-sig.json")
    for p in (fifo, out):
        if os.path.exists(p):
            os.unlink(p)
    os.mkfifo(fifo)
    port = bench.free_port()
    l = bench.Launched([binary, "--health-listen", f"127.0.0.1:{port}", "--stop-grace", "1h", "--",
                        helper, "child", fifo], pid1=True)
    wrk = None
    try:
        if not wait_health(port):
            return {"error": "no answer on /health"}
        if load:
            wrk = subprocess.Popen(["wrk", "-t2", "-c50", "-d4s", f"http://127.0.0.1:{port}/health"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=bench.CLEAN_ENV)
            time.sleep(0.5)
        bench.run([helper, "drive", str(l.init_pid), fifo, str(int(signo)), str(count), "500", out], timeout=120)
        one = json.load(open(out)) if os.path.exists(out) else {}
        if wrk is not None:
            one["wrk"] = bench.parse_wrk(wrk.communicate(timeout=30)[0])
        return one
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
        l.kill()


def num(v):
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def spread(values):
    s = bench.summary(values)
    if not s:
        return "–"
    return f"{num(s['median'])} ({num(s['min'])} – {num(s['max'])})"


def table(title, rows, names):
    """rows: [(label, {name: [per-round values]})]. Prints A, B and B / A."""
    a, b = names
    print(f"\n### {title}\n")
    print(f"| figure | {a} | {b} | {b} ÷ {a} |")
    print("|---|---:|---:|---:|")
    for label, per in rows:
        r = bench.ratios(per.get(b, []), per.get(a, []))
        ratio = f"{r['median']:.3f} ({r['min']:.3f} – {r['max']:.3f})" if r else "–"
        print(f"| {label} | {spread(per.get(a, []))} | {spread(per.get(b, []))} | {ratio} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=300, help="hyperfine runs per command and round (start)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (health)")
    ap.add_argument("--only", default="start,idle,health,signals")
    ap.add_argument("--out", default=os.path.join(bench.OUT, "ab.json"))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/ab.py: needs root (PID namespaces)")
    for k in list(os.environ):
        if k.startswith("CLAW_") and not k.startswith("CLAW_BENCH_"):
            del os.environ[k]
    os.makedirs(bench.OUT, exist_ok=True)
    builds = []
    for spec in (args.a, args.b):
        name, _, binary = spec.partition("=")
        builds.append((f"claw-init ({name})", os.path.abspath(binary)))
    names = [n for n, _ in builds]
    steps = args.only.split(",")
    res = {"builds": dict(builds), "rounds": args.rounds, "load_before": bench.loadavg(),
           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    inits = [claw_init(n, b) for n, b in builds] + [claw_init(f"{names[0]}, health off", builds[0][1], False)] + [
        i for i in bench.make_inits(builds[0][1], bench.free_port) if i.name == "tini"]
    try:
        if "start" in steps:
            res["start"] = bench.bench_start(inits, args.rounds, args.runs)
        if "idle" in steps:
            res["idle"] = bench.bench_idle(inits, args.rounds)
        if "health" in steps:
            h = {kind: {n: [] for n in names} for kind in ("shared", "pinned", "paced")}
            for r in range(args.rounds):
                order = builds if r % 2 == 0 else builds[::-1]
                for kind in h:
                    for name, binary in order:
                        one = bench.health_run(binary, args.duration, bench.free_port(), kind == "pinned",
                                               paced=kind == "paced")
                        h[kind][name].append(one)
                        bench.log(f"health round {r + 1}/{args.rounds} {kind} {name}: {one.get('rps')} req/s, "
                                  f"p99 {one.get('p99_ms')} ms, rss max {one.get('rss_max_kib')} KiB")
            res["health"] = h
        if "signals" in steps:
            s = {load: {n: [] for n in names} for load in ("idle", "load")}
            for r in range(args.rounds):
                order = builds if r % 2 == 0 else builds[::-1]
                for load in s:
                    for name, binary in order:
                        one = signal_run(binary, load == "load")
                        s[load][name].append(one)
                        bench.log(f"signals round {r + 1}/{args.rounds} {load} {name}: p50 {one.get('p50_us')} "
                                  f"p99 {one.get('p99_us')} us, lost {one.get('lost')}, "
                                  f"wrk {one.get('wrk', {}).get('rps')} req/s")
            res["signals"] = s
    finally:
        bench.kill_everything_started()
    res["load_after"] = bench.loadavg()
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)

    print(f"\nA/B, {args.rounds} rounds; load average {res['load_before'][0]:.2f} before, "
          f"{res['load_after'][0]:.2f} after; results in {args.out}")
    if "start" in res:
        for mode in bench.MODES:
            d = res["start"][mode]
            rows = [("ms added to /bin/true", d["overhead_ms"]), ("CPU ms added", d["cpu_overhead_ms"])]
            table(f"start overhead, {bench.MODE_TITLE[mode]}", rows, names)
            others = [i.name for i in inits if i.name not in names]
            print("\n" + "; ".join(f"{o}: {spread(d['overhead_ms'][o])} ms" for o in others))
    if "idle" in res:
        for mode in bench.MODES:
            d = res["idle"][mode]
            table(f"idle, {bench.MODE_TITLE[mode]}", [("RSS (KiB)", d["rss_kib"]), ("threads", d["threads"]),
                                                      ("voluntary switches / 10 s", d["voluntary"])], names)
            others = [i.name for i in inits if i.name not in names]
            print("\n" + "; ".join(f"{o}: {spread(d['rss_kib'][o])} KiB" for o in others))
    if "health" in res:
        for kind, per in res["health"].items():
            rows = [(label, {n: [one.get(key) for one in per[n]] for n in names})
                    for label, key in (("requests/s", "rps"), ("p50 (ms)", "p50_ms"), ("p99 (ms)", "p99_ms"),
                                       ("RSS max (KiB)", "rss_max_kib"), ("non-2xx", "non2xx"),
                                       ("threads", "threads"))]
            table(f"health, {kind}", rows, names)
    if "signals" in res:
        for load, per in res["signals"].items():
            rows = [(label, {n: [one.get(key) for one in per[n]] for n in names})
                    for label, key in (("USR1 p50 (µs)", "p50_us"), ("USR1 p99 (µs)", "p99_us"), ("lost", "lost"))]
            if load == "load":
                rows.append(("wrk req/s meanwhile", {n: [one.get("wrk", {}).get("rps") for one in per[n]]
                                                     for n in names}))
            table(f"signal forwarding as PID 1, {'/health idle' if load == 'idle' else 'wrk -c50 on /health'}",
                  rows, names)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        bench.kill_everything_started()
        sys.exit(130)
