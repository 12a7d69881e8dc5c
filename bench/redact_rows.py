"""The `--redact` rows of bench/run (issue 15): measured by bench.py, rendered by report.py.

  throughput  `cat` of a 1 GiB file of log lines into a pipe that a fast reader
              (helpers/pipe_io drain) empties, alone and under claw-init with
              and without --redact, and the same into /dev/null; 50 secrets in
              the environment of every run, 10 of them in the file
  rss         claw-init's VmRSS (sampled every 20 ms) and VmHWM during those runs
  latency     one line from the runtime's write() to the reader's read()
              (helpers/pipe_io lines | pipe_io latency): direct, under
              claw-init without and with --redact

Every variant runs once per round, in an order rotated from round to round,
as a plain child of the benchmark (not PID 1: the pump is the same either way).
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time

MiB = 1024 * 1024
SECRETS = 50
IN_FILE = 10  # of the 50, these occur in the file
MARK = "[REDACTED]"
CHUNK = 4 * MiB

# name -> (under claw-init?, --redact?, sink)
THROUGHPUT = {
    "cat → pipe": (False, False, "pipe"),
    "claw-init → pipe": (True, False, "pipe"),
    "claw-init --redact → pipe": (True, True, "pipe"),
    "cat → /dev/null": (False, False, "null"),
    "claw-init → /dev/null": (True, False, "null"),
    "claw-init --redact → /dev/null": (True, True, "null"),
}
LATENCY = {"direct": (False, False), "claw-init": (True, False), "claw-init --redact": (True, True)}


def secret_env(rng):
    """50 token-like values 16 to 64 bytes long, named as --redact finds them
    (a name ending in _API_KEY or _TOKEN), with shared prefixes as real keys have."""
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    prefixes = ["sk-proj-", "ghp_", "xoxb-", "", ""]
    env = {}
    for i in range(SECRETS):
        value = prefixes[i % 5] + "".join(rng.choice(b64) for _ in range(16 + rng.randrange(49)))
        env[f"BENCH_SERVICE{i:02d}_{'API_KEY' if i % 2 else 'TOKEN'}"] = value[:64]
    return env


def make_file(path, size, secrets, rng):
    """`size` bytes of log lines (copies of one 4 MiB chunk), a secret from the
    first IN_FILE after about every 8 KiB. Returns (secrets planted, the size
    the redacted output must have)."""
    words = ["gateway", "request", "completed", "in", "ms", "status", "200", "session", "agent", "tool", "call",
             "task", "tokens", "model", "openai", "error", "retry", "/v1/chat/completions", "user", "skill", "sk",
             "ghp", "xo", "exec", "ok"]
    lines, length, since, planted, saved = [], 0, 0, 0, 0
    while length < CHUNK - 200:
        line = f"2026-12-03T08:37:07.{rng.randrange(1000):03d}Z info " + " ".join(
            rng.choice(words) for _ in range(6 + rng.randrange(10)))
        since += len(line)
        if since >= 8192:
            s = secrets[rng.randrange(IN_FILE)]
            line += f" key={s}"
            planted += 1
            saved += len(s) - len(MARK)
            since = 0
        line += f" id={rng.randrange(1 << 32)}\n"
        lines.append(line)
        length += len(line)
    lines.append("#" * (CHUNK - length - 1) + "\n")
    chunk = "".join(lines).encode()
    assert len(chunk) == CHUNK
    copies = max(1, size // CHUNK)
    with open(path, "wb") as f:
        for _ in range(copies):
            f.write(chunk)
    return planted * copies, copies * (CHUNK - saved)


def proc_sample(pid):
    """(VmRSS KiB, VmHWM KiB, CPU s) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            st = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    if "VmRSS" not in st:  # a zombie
        return None
    tick = os.sysconf("SC_CLK_TCK")
    return (int(st["VmRSS"].split()[0]), int(st["VmHWM"].split()[0]),
            (int(fields[11]) + int(fields[12])) / tick)


def writer_argv(bench, claw, under, redact, command):
    if not under:
        return command
    return [claw, "--health-listen", f"127.0.0.1:{bench.free_port()}"] + (["--redact"] if redact else []) + \
        ["--"] + command


def pipe_run(bench, argv, env, sink, reader_argv, timeout, sample=False):
    """argv with its stdout on a pipe read by reader_argv (sink "pipe") or on
    /dev/null. Returns the wall time (s) from its start until it and the reader
    have exited, and, with `sample`, its RSS and CPU as sampled meanwhile."""
    out = {}
    reader = None
    if sink == "pipe":
        r, w = os.pipe()
        reader = subprocess.Popen(reader_argv, stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  env=bench.CLEAN_ENV)
        os.close(r)
    else:
        w = os.open("/dev/null", os.O_WRONLY)
    samples, stop = [], threading.Event()
    try:
        t0 = time.monotonic()
        writer = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.DEVNULL, env=env,
                                  start_new_session=True)
    finally:
        os.close(w)

    def watch():
        while not stop.is_set():
            s = proc_sample(writer.pid)
            if s:
                samples.append(s)
            stop.wait(0.02)
    t = threading.Thread(target=watch) if sample else None
    if t:
        t.start()
    try:
        out["exit"] = writer.wait(timeout=timeout)
        if reader:
            out["reader_exit"] = reader.wait(timeout=timeout)
        out["seconds"] = time.monotonic() - t0
    except subprocess.TimeoutExpired:
        out["error"] = f"not done after {timeout} s"
        for p in (writer, reader):
            if p:
                p.kill()
                p.wait()
    finally:
        stop.set()
        if t:
            t.join()
    if samples:
        out["rss_max_kib"] = max(s[0] for s in samples)
        out["hwm_kib"] = samples[-1][1]
        out["cpu_s"] = samples[-1][2]  # at the last sample, up to 20 ms before the exit
    return out


def measure(bench, claw, rounds, quick):
    """bench: the bench.py module, for its helpers."""
    size = (256 if quick else 1024) * MiB
    lines = 200 if quick else 1000
    rng = random.Random(15)
    senv = secret_env(rng)
    env = {**bench.CLEAN_ENV, **senv}
    secrets = list(senv.values())
    drain = os.path.join(bench.HELPERS, "pipe_io")
    shm = tempfile.mkdtemp(prefix="claw-bench-redact-", dir="/dev/shm")
    path = os.path.join(shm, "log.txt")
    cat = shutil.which("cat") or "/bin/cat"
    res = {"bytes": 0, "secrets": SECRETS, "secrets_in_file": IN_FILE, "lines": lines, "gap_us": 1000,
           "throughput_mib_s": {k: [] for k in THROUGHPUT}, "rss_max_kib": {}, "hwm_kib": {}, "cpu_s": {},
           "errors": [], "latency": {k: {"p50_us": [], "p99_us": [], "max_us": [], "lines": []} for k in LATENCY}}
    try:
        planted, redacted_size = make_file(path, size, secrets, rng)
        res.update(bytes=os.path.getsize(path), planted=planted, redacted_bytes=redacted_size)
        out_json = os.path.join(bench.OUT, "drain.json")

        def expect(redact):
            return redacted_size if redact else res["bytes"]

        # Once, before the timed runs: the redacted stream has every planted
        # secret replaced (the reader counts the marks), and nothing else changed
        # in size; the timed runs then check the byte count.
        argv = writer_argv(bench, claw, True, True, [cat, path])
        one = pipe_run(bench, argv, env, "pipe", [drain, "drain", out_json, MARK], 300)
        got = json.load(open(out_json)) if os.path.exists(out_json) else {}
        res["check"] = {"marks": got.get("marks"), "bytes": got.get("bytes"), "exit": one.get("exit"),
                        "ok": got.get("marks") == planted and got.get("bytes") == redacted_size}
        bench.log(f"redact check: {got.get('marks')} of {planted} secrets replaced, {got.get('bytes')} bytes "
                  f"(expected {redacted_size})")
        names = list(THROUGHPUT)
        for r in range(rounds):
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                under, redact, sink = THROUGHPUT[name]
                if os.path.exists(out_json):
                    os.unlink(out_json)
                one = pipe_run(bench, writer_argv(bench, claw, under, redact, [cat, path]), env, sink,
                               [drain, "drain", out_json], 300, sample=under)
                got = json.load(open(out_json)) if sink == "pipe" and os.path.exists(out_json) else {}
                ok = "seconds" in one and one.get("exit") == 0 and (sink == "null" or got.get("bytes") == expect(redact))
                if not ok:
                    res["errors"].append(f"{name}: {one.get('error', '')} exit {one.get('exit')}, "
                                         f"{got.get('bytes')} bytes (expected {expect(redact)})")
                res["throughput_mib_s"][name].append(res["bytes"] / MiB / one["seconds"] if ok else None)
                for key in ("rss_max_kib", "hwm_kib", "cpu_s"):
                    if key in one:
                        res[key].setdefault(name, []).append(one[key])
            bench.log(f"redact throughput round {r + 1}/{rounds}: " + ", ".join(
                f"{n} {v[-1]:.0f}" if v[-1] else f"{n} –" for n, v in res["throughput_mib_s"].items()) + " MiB/s")
        lat = list(LATENCY)
        writer = os.path.join(bench.HELPERS, "pipe_io")
        for r in range(rounds):
            for k in range(len(lat)):
                name = lat[(r + k) % len(lat)]
                under, redact = LATENCY[name]
                if os.path.exists(out_json):
                    os.unlink(out_json)
                argv = writer_argv(bench, claw, under, redact, [writer, "lines", str(lines), "1000"])
                pipe_run(bench, argv, env, "pipe", [drain, "latency", out_json], 60)
                got = json.load(open(out_json)) if os.path.exists(out_json) else {}
                d = res["latency"][name]
                for key in ("p50_us", "p99_us", "max_us", "lines"):
                    d[key].append(got.get(key))
            bench.log(f"redact latency round {r + 1}/{rounds}: " + ", ".join(
                f"{n} {d['p50_us'][-1]}/{d['p99_us'][-1]} us" for n, d in res["latency"].items()))
    finally:
        shutil.rmtree(shm, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

def section(p):
    from report import cell, med, num, ratio, ratio_cell, summary  # bench/report.py
    d = p.res.get("redact")
    if not d:
        return
    tp = d["throughput_mib_s"]
    chk = d.get("check", {})
    p.add("## Redaction (`--redact`)", "",
          f"`cat` of a {d['bytes'] / MiB / 1024:g} GiB file of log lines (on tmpfs) as the runtime, its stdout a pipe "
          "that a fast reader empties (bench/helpers/pipe_io.cc: 1 MiB `read`s, counting bytes), or /dev/null; "
          f"alone and under claw-init (health on, not PID 1), without and with `--redact`. Every run has the same "
          f"{d['secrets']} secrets of 16 to 64 bytes in its environment (variables ending in `_API_KEY` or `_TOKEN`), "
          f"and {d['secrets_in_file']} of them occur in the file, {d['planted']:,} times in all (one every 8 KiB). "
          "Throughput is the file's size over the wall time from the writer's start until it and the reader have "
          "exited. A check run first: the reader counted "
          f"{num(chk.get('marks'), 0)} `[REDACTED]` of {d['planted']:,}, and {num(chk.get('bytes'), 0)} bytes "
          f"({'as expected' if chk.get('ok') else 'NOT as expected'}); every timed run's byte count is checked too"
          + (f" ({len(d['errors'])} failed: {'; '.join(d['errors'][:3])})" if d.get("errors") else "") + ".", "",
          "| writer → consumer | median (MiB/s) | spread (min – max) | ÷ `cat` alone, same consumer | "
          "claw-init CPU (s) | RSS max (KiB) | VmHWM (KiB) |",
          "|---|---:|---:|---:|---:|---:|---:|")
    for name, vals in tp.items():
        m, s = cell(summary(vals), 0)
        base = "cat → pipe" if name.endswith("pipe") else "cat → /dev/null"
        r = "–" if name == base else ratio_cell(ratio(vals, tp.get(base)))
        p.add(f"| {name} | {m} | {s} | {r} | {num(med(d['cpu_s'].get(name)), 2)} | "
              f"{num(med(d['rss_max_kib'].get(name)), 0)} | {num(med(d['hwm_kib'].get(name)), 0)} |")
    p.add("", "RSS max: the largest `VmRSS` of claw-init sampled every 20 ms during a run (median over the rounds); "
          "VmHWM: its peak as the kernel counts it, read at the last sample. CPU: claw-init's user + system time "
          "at the last sample (up to 20 ms before its exit).", "")
    lat = d["latency"]
    p.add(f"One line (about 100 bytes, no secret in it) from the runtime's `write()` to the reader's `read()`, "
          f"{d['lines']:,} lines a round, {d['gap_us'] / 1000:g} ms apart; both ends read CLOCK_MONOTONIC "
          "(bench/helpers/pipe_io.cc). Direct: the writer's stdout is the reader's pipe.", "",
          "| path | p50 (µs) | spread | p99 (µs) | spread | max (µs, median) | p99 added to direct (µs) |",
          "|---|---:|---:|---:|---:|---:|---:|")
    for name, v in lat.items():
        m50, s50 = cell(summary(v["p50_us"]), 1)
        m99, s99 = cell(summary(v["p99_us"]), 1)
        added = "–" if name == "direct" else num(med(
            [a - b for a, b in zip(v["p99_us"], lat["direct"]["p99_us"]) if a is not None and b is not None]), 1)
        p.add(f"| {name} | {m50} | {s50} | {m99} | {s99} | {num(med(v['max_us']), 0)} | {added} |")
    p.add("")
    red, plain = tp.get("claw-init --redact → pipe"), tp.get("cat → pipe")
    rr = ratio(red, plain)
    mib = med(red)
    p.target("redaction throughput (50 secrets, pipe)",
             f"{num(mib / 1024 if mib else None)} GiB/s ({ratio_cell(rr)} `cat` alone); /dev/null "
             f"{num((med(tp.get('claw-init --redact → /dev/null')) or 0) / 1024)} GiB/s",
             f"`cat` alone {num((med(plain) or 0) / 1024)} GiB/s", "≥ 1 GiB/s and ≥ 50% of the plain pipe",
             None if not mib or not rr else mib >= 1024 and rr["median"] >= 0.5 and chk.get("ok", False))
    off, rof = tp.get("claw-init → pipe"), ratio(tp.get("claw-init → pipe"), plain)
    p.target("`--redact` off (pipe)", f"{num((med(off) or 0) / 1024)} GiB/s ({ratio_cell(rof)} `cat` alone)", "–",
             "no cost (the runtime writes to the pipe itself)", None if not rof else rof["median"] >= 0.9)
    v = lat["claw-init --redact"]["p99_us"]
    p99 = med(v)
    p.target("redaction latency of one line", f"p99 {num(p99, 1)} µs (direct {num(med(lat['direct']['p99_us']), 1)} µs)",
             "–", "p99 < 1 ms", None if p99 is None else p99 < 1000 and None not in v)
    rss = max(med(d["rss_max_kib"].get(n)) or 0 for n in tp if "--redact" in n) if d["rss_max_kib"] else None
    hwm = max(med(d["hwm_kib"].get(n)) or 0 for n in tp if "--redact" in n) if d["hwm_kib"] else None
    p.target("claw-init RSS while redacting", f"{num(rss / 1024 if rss else None)} MiB (VmHWM "
             f"{num(hwm / 1024 if hwm else None)} MiB)", "–", "< 4 MiB", None if not rss else max(rss, hwm) < 4096)
