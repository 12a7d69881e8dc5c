#!/usr/bin/env python3
"""claw-init benchmarks, side by side with tini, tini-static, dumb-init and catatonit.

  bench.py measure --claw-init BIN [--rounds N] [--quick]   -> bench/out/results.json
  bench.py report                                           -> docs/benchmarks.md, docs/benchmarks.png
  bench.py check [--binary BIN] [--update]                  callgrind instructions vs bench/baseline.json

Every timing is taken for claw-init and each peer in the same round, one
round after the other, so a figure is the median over rounds and a ratio is
the median of the per-round ratios: the machine's drift cancels out. Peers
run under the same conditions as claw-init: as PID 1 of a fresh PID
namespace (unshare --pid --fork --mount-proc), and as a plain child of the
benchmark (subreaper mode) where that matters.
"""
import argparse
import datetime
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import redact_rows  # bench/redact_rows.py, beside this file: the --redact rows (issue 15)

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
HELPERS = os.path.join(OUT, "helpers")
RESULTS = os.path.join(OUT, "results.json")
BASELINE = os.path.join(HERE, "baseline.json")
DOC_MD = os.path.join(SRC, "docs", "benchmarks.md")
DOC_PNG = os.path.join(SRC, "docs", "benchmarks.png")

UNSHARE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"]
# For start-up timings: a new mount namespace with its own /proc costs more
# than an init's whole start, and varies; no init here reads /proc as PID 1.
UNSHARE_LIGHT = ["unshare", "--pid", "--fork", "--kill-child"]
CLEAN_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOME": "/root", "LANG": "C.UTF-8"}
SLEEP = shutil.which("sleep") or "/bin/sleep"
TRUE = "/bin/true"
CLAW = "claw-init"
HEALTH_OFF = "claw-init (health off)"
NOTIFY = "claw-init (upstream + sd_notify)"
PEERS = ["tini", "tini-static", "dumb-init", "catatonit"]
MODES = ["subreaper", "pid1"]
MODE_TITLE = {"subreaper": "not PID 1", "pid1": "PID 1"}
MiB = 1024 * 1024
MARKER = "patched-marker"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# The inits under test
# ---------------------------------------------------------------------------

class Init:
    """One init and how to put a command under it."""

    def __init__(self, name, binary, build):
        self.name = name
        self.binary = binary
        self._build = build  # (pid1, claw_options) -> argv prefix ending where COMMAND goes

    def argv(self, pid1, command, claw_options=()):
        return self._build(pid1, list(claw_options)) + list(command)

    @property
    def is_claw(self):
        return self.name.startswith(CLAW)


def make_inits(claw, port_for):
    """port_for(): a fresh free loopback port for each health-on claw-init."""
    def claw_on(pid1, opts):
        return [claw, "--health-listen", f"127.0.0.1:{port_for()}"] + opts + ["--"]

    def claw_off(pid1, opts):
        return [claw, "--health-listen", "off"] + opts + ["--"]

    # tini warns and cannot reap orphans when it is neither PID 1 nor a
    # subreaper; -s is what a user would pass there (claw-init and catatonit
    # register as subreapers by themselves). dumb-init has no subreaper mode.
    def tini(binary):
        return lambda pid1, opts: [binary] + ([] if pid1 else ["-s"]) + ["--"]

    return [
        Init(CLAW, claw, claw_on),
        Init(HEALTH_OFF, claw, claw_off),
        Init("tini", "/usr/bin/tini", tini("/usr/bin/tini")),
        Init("tini-static", "/usr/bin/tini-static", tini("/usr/bin/tini-static")),
        Init("dumb-init", "/usr/bin/dumb-init", lambda pid1, opts: ["/usr/bin/dumb-init", "--"]),
        Init("catatonit", "/usr/bin/catatonit", lambda pid1, opts: ["/usr/bin/catatonit", "--"]),
    ]


_port_lock = threading.Lock()
_ports_given = set()


def port_is_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port(preferred=None):
    """A loopback port nobody listens on; preferred first, then 18701-18999."""
    with _port_lock:
        candidates = ([preferred] if preferred else []) + list(range(18701, 19000))
        for p in candidates:
            if p in _ports_given and p != preferred:
                continue
            if port_is_free(p):
                _ports_given.add(p)
                return p
    raise RuntimeError("no free loopback port in 18701-18999")


# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

def children_of(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def descendants(pid):
    out, stack = [], [pid]
    while stack:
        for c in children_of(stack.pop()):
            out.append(c)
            stack.append(c)
    return out


def proc_status(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                fields[k] = v.strip()
    except OSError:
        return None
    return fields


def rss_kib(pid):
    st = proc_status(pid)
    return int(st["VmRSS"].split()[0]) if st and "VmRSS" in st else None


def context_switches(pid):
    """(voluntary, involuntary) summed over every thread of pid."""
    vol = invol = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        vol += int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        invol += int(line.split()[1])
        except OSError:
            pass
    return vol, invol


_live = set()


class Launched:
    """An init started by the benchmark, as PID 1 (under unshare) or not."""

    def __init__(self, argv, pid1, env=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        full = (UNSHARE + argv) if pid1 else argv
        self.pid1 = pid1
        self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                     env=env or CLEAN_ENV, start_new_session=True)
        _live.add(self)
        self.init_pid = self._find_init()

    def _find_init(self):
        if not self.pid1:
            return self.proc.pid
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            kids = children_of(self.proc.pid)
            if kids:
                return kids[0]
            if self.proc.poll() is not None:
                raise RuntimeError(f"unshare exited with {self.proc.returncode}")
            time.sleep(0.001)
        raise RuntimeError("no PID 1 appeared under unshare")

    def wait_for_child(self, timeout=5.0):
        """Waits until the init has started its runtime."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if children_of(self.init_pid):
                return True
            time.sleep(0.005)
        return False

    def alive(self):
        return os.path.exists(f"/proc/{self.init_pid}") and (proc_status(self.init_pid) or {}).get(
            "State", "Z").split()[0] not in ("Z", "X")

    def kill(self):
        for pid in [self.init_pid] + descendants(self.init_pid)[::-1]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in descendants(self.init_pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.proc.kill()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _live.discard(self)


def kill_everything_started():
    for launched in list(_live):
        launched.kill()


def wait_exit(pid, timeout):
    """Seconds until pid exits (becomes a zombie or vanishes), or None on timeout."""
    t0 = time.monotonic()
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return 0.0
    try:
        r, _, _ = select.select([fd], [], [], timeout)
        return (time.monotonic() - t0) if r else None
    finally:
        os.close(fd)


def run(cmd, **kw):
    kw.setdefault("env", CLEAN_ENV)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------

def summary(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def ratios(a, b):
    """Per-round a/b, then their median."""
    rs = [x / y for x, y in zip(a, b) if x is not None and y not in (None, 0)]
    return summary(rs)


def hyperfine_once(commands, runs, warmup):
    """One hyperfine run: each command's list of wall times (s) and its mean
    user+system CPU time (s)."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=OUT, delete=False) as tf:
        path = tf.name
    try:
        cmd = ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
               "--export-json", path] + [shlex.join(c) for c in commands]
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=CLEAN_ENV)
        if p.returncode != 0:
            raise RuntimeError("hyperfine failed: " + p.stderr.strip()[-500:])
        with open(path) as f:
            data = json.load(f)
        return [(r["times"], r["user"] + r["system"]) for r in data["results"]]
    finally:
        os.unlink(path)


def hyperfine(commands, runs, warmup, cpu=None, slices=None):
    """Median wall time (ms) of each command over `runs` runs. hyperfine runs
    one command's runs back to back, so a drift of the machine's speed lands
    on whichever command runs then; the runs are therefore split into slices
    of about 30, and each slice starts with another command (a rotation), so
    every command sees the same machine. With a list as `cpu`, also appends
    each command's mean user+system CPU time (ms), which other processes on
    the machine disturb less than wall time."""
    n = len(commands)
    slices = slices or max(1, min(10, runs // 30))
    times = [[] for _ in range(n)]
    cpus = [[] for _ in range(n)]
    for k in range(slices):
        order = [(k + j) % n for j in range(n)]
        per = max(2, runs // slices)
        got = hyperfine_once([commands[i] for i in order], per, warmup if k == 0 else max(1, warmup // 5))
        for i, (t, c) in zip(order, got):
            times[i].extend(t)
            cpus[i].append(c)
    if cpu is not None:
        cpu.extend(statistics.mean(c) * 1e3 for c in cpus)
    return [statistics.median(t) * 1e3 for t in times]


# ---------------------------------------------------------------------------
# Config fixtures (deterministic, so callgrind counts are comparable)
# ---------------------------------------------------------------------------

def make_json5(size):
    """A JSON5 document of about `size` bytes: comments, unquoted keys, single quotes, trailing commas."""
    head = ["// claw-init benchmark config (JSON5)", "{",
            "  gateway: { mode: 'local', port: 18789, bind: 'loopback',",
            "    auth: { mode: 'token', token: 'bench-token', }, },",
            "  agents: { defaults: { model: { primary: 'anthropic/claude-sonnet', }, }, },",
            "  bench: {"]
    body, i, total = [], 0, sum(len(x) + 1 for x in head)
    while total < size - 16:
        line = (f"    // section {i}\n    s{i:04d}: {{ name: 'item {i}', enabled: true, weight: {i % 7}.5, "
                f"count: {i}, tags: ['a{i % 3}', 'b', 'c',], nested: {{ level: 'x', on: false, }}, }},")
        body.append(line)
        total += len(line) + 1
        i += 1
    return "\n".join(head + body + ["  },", "}", ""]), i


def make_json(size):
    parts, i, total = [], 0, 0
    while total < size - 200:
        item = (f'"s{i:05d}": {{"name": "item {i}", "enabled": true, "weight": {i % 7}.5, "count": {i}, '
                f'"tags": ["a{i % 3}", "b", "c"], "nested": {{"level": "x", "on": false}}}}')
        parts.append(item)
        total += len(item) + 6
        i += 1
    doc = ('{\n  "gateway": {"mode": "local", "port": 18789, "auth": {"mode": "token", "token": "t"}},\n'
           '  "bench": {\n    ' + ",\n    ".join(parts) + "\n  }\n}\n")
    return doc, i


def make_toml(size):
    lines = ['[gateway]', 'mode = "local"', 'port = 18789', '', '[gateway.auth]', 'mode = "token"',
             'token = "t"', '']
    i, total = 0, sum(len(x) + 1 for x in lines)
    while total < size - 200:
        block = (f'[bench.s{i:05d}]\nname = "item {i}"\nenabled = true\nweight = {i % 7}.5\ncount = {i}\n'
                 f'tags = ["a{i % 3}", "b", "c"]\n\n[bench.s{i:05d}.nested]\nlevel = "x"\non = false\n')
        lines.append(block)
        total += len(block) + 1
        i += 1
    return "\n".join(lines) + "\n", i


def make_yaml(size):
    lines = ["gateway:", "  mode: local", "  port: 18789", "bench:"]
    i, total = 0, 40
    while total < size - 200:
        block = (f"  s{i:05d}:\n    name: item {i}\n    enabled: true\n    weight: {i % 7}.5\n    count: {i}\n"
                 f"    tags: [a{i % 3}, b, c]\n    nested:\n      level: x\n      on: false")
        lines.append(block)
        total += len(block) + 1
        i += 1
    return "\n".join(lines) + "\n", i


def patch_vars(n, items, prefix="s", width=4):
    """n CLAW_CONFIG__ variables: half retype existing keys, half add new ones."""
    env = {}
    for k in range(n):
        i = (k * 7919) % items
        kind = k % 4
        if kind == 0:
            env[f"CLAW_CONFIG__bench__{prefix}{i:0{width}d}__count"] = str(1000 + k)
        elif kind == 1:
            env[f"CLAW_CONFIG__bench__{prefix}{i:0{width}d}__enabled"] = "no"
        elif kind == 2:
            env[f"CLAW_CONFIG__extra__k{k:03d}"] = f"value-{k}"
        else:
            env[f"CLAW_CONFIG__extra__deep__d{k:03d}__n"] = str(k)
    env["CLAW_CONFIG__gateway__auth__token"] = "patched-token"
    # The marker that says the patch happened; not under a key that looks
    # secret, so `config render` prints it unredacted.
    env["CLAW_CONFIG__gateway__mode"] = MARKER
    while len(env) > n:
        env.pop(next(k for k in sorted(env) if k.startswith("CLAW_CONFIG__extra")))
    return env


class ConfigFixture:
    """A profile, a base config and the variables that patch it."""

    def __init__(self, root, fmt, text, env, target_dir=None):
        os.makedirs(root, exist_ok=True)
        ext = {"json": "json", "toml": "toml", "yaml": "yaml"}[fmt]
        self.root = root
        self.default = os.path.join(root, f"default.{ext}")
        tdir = target_dir or os.path.join(root, "target")
        os.makedirs(tdir, exist_ok=True)
        self.target = os.path.join(tdir, f"config.{ext}")
        with open(self.default, "w") as f:
            f.write(text)
        self.size = len(text.encode())
        self.profile = os.path.join(root, "profile.toml")
        with open(self.profile, "w") as f:
            f.write(f'[config]\ndefault = "{self.default}"\ntarget = "{self.target}"\nformat = "{fmt}"\n')
        self.env = env

    def reset_target(self):
        if os.path.exists(self.target):
            os.unlink(self.target)

    def env_argv(self):
        return ["/usr/bin/env", "-i"] + [f"{k}={v}" for k, v in sorted({**CLEAN_ENV, **self.env}.items())]


def fixture_64k_json5(root, target_dir=None):
    text, items = make_json5(64 * 1024)
    return ConfigFixture(root, "json", text, patch_vars(50, items), target_dir)


def fixture_1mib(root, fmt, size=MiB, target_dir=None):
    maker = {"json": make_json, "toml": make_toml, "yaml": make_yaml}[fmt]
    text, items = maker(size)
    return ConfigFixture(root, fmt, text, patch_vars(200, items, width=5), target_dir)


def probe_config(claw, fx):
    """What of config patching this build has: 'render', 'startup' (both), or a reason it has none."""
    env = {**CLEAN_ENV, **fx.env}
    fx.reset_target()
    have = {}
    r = run([claw, "--profile", fx.profile, "config", "render"], env=env, timeout=30)
    have["render"] = r.returncode == 0 and MARKER in r.stdout
    have["render_note"] = (r.stderr.strip().splitlines() or [""])[-1][:200]
    r = run([claw, "--profile", fx.profile, "--health-listen", "off", "--", TRUE], env=env, timeout=30)
    wrote = os.path.exists(fx.target) and MARKER in open(fx.target).read()
    have["startup"] = r.returncode == 0 and wrote
    have["startup_note"] = (f"exit {r.returncode}; " + ((r.stderr.strip().splitlines() or [""])[-1]))[:200]
    fx.reset_target()
    return have


def probe_health(claw):
    port = free_port()
    launched = Launched([claw, "--health-listen", f"127.0.0.1:{port}", "--", SLEEP, "100"], pid1=False)
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                    return {"serving": True, "status": resp.status}
            except urllib.error.HTTPError as e:
                return {"serving": True, "status": e.code}
            except OSError:
                time.sleep(0.05)
        return {"serving": False}
    finally:
        launched.kill()


# ---------------------------------------------------------------------------
# The benchmarks
# ---------------------------------------------------------------------------

def bench_start(inits, rounds, runs):
    """Start overhead: `init -- /bin/true` minus plain `/bin/true`, hyperfine."""
    res = {}
    for mode in MODES:
        pid1 = mode == "pid1"
        prefix = UNSHARE_LIGHT if pid1 else []
        base = prefix + [TRUE]
        per = {i.name: [] for i in inits}
        abs_ms = {i.name: [] for i in inits}
        cpu_ms = {i.name: [] for i in inits}
        base_ms = []
        for r in range(rounds):
            cmds = [base] + [prefix + i.argv(pid1, [TRUE]) for i in inits]
            cpu = []
            times = hyperfine(cmds, runs, warmup=max(5, runs // 10), cpu=cpu)
            base_ms.append(times[0])
            for k, (i, t) in enumerate(zip(inits, times[1:])):
                abs_ms[i.name].append(t)
                per[i.name].append(t - times[0])
                cpu_ms[i.name].append(cpu[k + 1] - cpu[0])
            log(f"start {mode} round {r + 1}/{rounds}: " +
                ", ".join(f"{i.name} {per[i.name][-1]:.3f}" for i in inits) + f" (true {times[0]:.3f}) ms")
        res[mode] = {"overhead_ms": per, "abs_ms": abs_ms, "baseline_ms": base_ms, "cpu_overhead_ms": cpu_ms}
    return res


def bench_size(inits):
    res = {}
    for i in inits:
        if i.name == HEALTH_OFF:
            continue
        desc = run(["file", "-L", i.binary]).stdout
        res[i.name] = {"path": i.binary, "bytes": os.path.getsize(i.binary),
                       "static": "statically linked" in desc or "static-pie" in desc,
                       "stripped": ", stripped" in desc}
    return res


def notify_peers(tag):
    """What the sd_notify variant of claw-init talks to: a TCP listener for its tcp:// upstream
    check (the kernel completes each handshake; nobody reads) and a datagram socket in place of
    systemd's NOTIFY_SOCKET."""
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(64)
    path = os.path.join(OUT, f"idle-{tag}.notify")
    if os.path.exists(path):
        os.unlink(path)
    dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dgram.bind(path)
    dgram.setblocking(False)
    return tcp, dgram, path


def notify_messages(dgram):
    out = []
    while True:
        try:
            out.append(dgram.recv(4096).decode(errors="replace"))
        except BlockingIOError:
            return out


def bench_idle(inits, rounds, settle=5.0, window=10.0, notify_claw=None):
    """RSS after `settle` s supervising sleep, and context switches over the next `window` s.
    With notify_claw, also that claw-init with an upstream check and NOTIFY_SOCKET set, which
    checks the upstream every 250 ms until READY=1 is sent, and then never again."""
    res = {m: {"rss_kib": {}, "voluntary": {}, "involuntary": {}, "threads": {}} for m in MODES}
    if notify_claw:
        res["notify_ready"] = {m: [] for m in MODES}
    for r in range(rounds):
        started, peers = [], {}
        try:
            for mode in MODES:
                pid1 = mode == "pid1"
                for i in inits:
                    started.append((mode, i.name, Launched(i.argv(pid1, [SLEEP, "1000"]), pid1)))
                if notify_claw:
                    tcp, dgram, path = peers[mode] = notify_peers(mode)
                    argv = [notify_claw, "--health-listen", f"127.0.0.1:{free_port()}", "--health-upstream",
                            f"tcp://127.0.0.1:{tcp.getsockname()[1]}", "--", SLEEP, "1000"]
                    started.append((mode, NOTIFY, Launched(argv, pid1, env=dict(CLEAN_ENV, NOTIFY_SOCKET=path))))
            t0 = time.monotonic()
            for _, _, l in started:
                l.wait_for_child()
            time.sleep(max(0.0, settle - (time.monotonic() - t0)))
            first = {}
            for mode, name, l in started:
                d = res[mode]
                d["rss_kib"].setdefault(name, []).append(rss_kib(l.init_pid))
                d["threads"].setdefault(name, []).append(int((proc_status(l.init_pid) or {}).get("Threads", 0)))
                first[(mode, name)] = context_switches(l.init_pid)
            for mode, (_, dgram, _) in peers.items():
                res["notify_ready"][mode].append(any(m.startswith("READY=1") for m in notify_messages(dgram)))
            time.sleep(window)
            for mode, name, l in started:
                a, b = first[(mode, name)], context_switches(l.init_pid)
                d = res[mode]
                d["voluntary"].setdefault(name, []).append(b[0] - a[0] if a and b else None)
                d["involuntary"].setdefault(name, []).append(b[1] - a[1] if a and b else None)
        finally:
            for _, _, l in started:
                l.kill()
            for tcp, dgram, path in peers.values():
                tcp.close()
                dgram.close()
                os.unlink(path)
        log(f"idle round {r + 1}/{rounds}: " + ", ".join(
            f"{n} {res['pid1']['rss_kib'][n][-1]} KiB/{res['pid1']['voluntary'][n][-1]} cs" for n in res["pid1"]["rss_kib"]))
    return res


def bench_reap(inits, rounds, n):
    """n orphans exit at once under the init as PID 1; time until the last is reaped."""
    res = {"n": n, "reap_ms": {}, "reaped": {}, "created": {}}
    helper = os.path.join(HELPERS, "reap_storm")
    for r in range(rounds):
        for i in inits:
            out = os.path.join(OUT, "reap.json")
            if os.path.exists(out):
                os.unlink(out)
            l = Launched(i.argv(True, [helper, str(n), out, "60"]), pid1=True)
            try:
                l.proc.wait(timeout=180)
            except subprocess.TimeoutExpired:
                pass
            finally:
                l.kill()
            data = json.load(open(out)) if os.path.exists(out) else {}
            res["reap_ms"].setdefault(i.name, []).append(data.get("reap_ms") if not data.get("timed_out", True) else None)
            res["reaped"].setdefault(i.name, []).append(data.get("reaped"))
            res["created"].setdefault(i.name, []).append(data.get("created"))
        log(f"reap round {r + 1}/{rounds}: " + ", ".join(
            f"{i.name} {res['reaped'][i.name][-1]}/{res['created'][i.name][-1]} in {res['reap_ms'][i.name][-1]} ms" for i in inits))
    return res


def bench_signals(inits, rounds, count, signals=(("TERM", signal.SIGTERM), ("USR1", signal.SIGUSR1))):
    """Signal sent to the init (PID 1) until the runtime's handler runs."""
    helper = os.path.join(HELPERS, "sig_latency")
    res = {"rounds_per_run": count}
    for name, signo in signals:
        res[name] = {"p50_us": {}, "p99_us": {}, "lost": {}}
    for r in range(rounds):
        for name, signo in signals:
            for i in inits:
                fifo = os.path.join(OUT, "sig.fifo")
                out = os.path.join(OUT, "sig.json")
                for p in (fifo, out):
                    if os.path.exists(p):
                        os.unlink(p)
                os.mkfifo(fifo)
                # A TERM is a stop for claw-init: give it a grace longer than the run.
                l = Launched(i.argv(True, [helper, "child", fifo], ["--stop-grace", "1h"]), pid1=True)
                try:
                    run([helper, "drive", str(l.init_pid), fifo, str(int(signo)), str(count), "500", out],
                        timeout=120)
                finally:
                    l.kill()
                data = json.load(open(out)) if os.path.exists(out) else {}
                d = res[name]
                d["p50_us"].setdefault(i.name, []).append(data.get("p50_us"))
                d["p99_us"].setdefault(i.name, []).append(data.get("p99_us"))
                d["lost"].setdefault(i.name, []).append(data.get("lost", count))
            log(f"signal {name} round {r + 1}/{rounds}: " + ", ".join(
                f"{i.name} {res[name]['p50_us'][i.name][-1]}/{res[name]['p99_us'][i.name][-1]} us" for i in inits))
    return res


def bench_stop(inits, rounds):
    """TERM to the init until it exits: with a runtime that ignores TERM (claw-init with no stop
    delay and a stop grace of 1 s), and with a runtime that exits on TERM."""
    helper = os.path.join(HELPERS, "sig_latency")
    res = {"ignoring": {m: {} for m in MODES}, "cooperative": {m: {} for m in MODES}, "peers_ignoring": {}}
    for r in range(rounds):
        for mode in MODES:
            pid1 = mode == "pid1"
            for i in inits:
                if not i.is_claw:
                    continue
                ready = os.path.join(OUT, "stop.ready")
                if os.path.exists(ready):
                    os.unlink(ready)
                l = Launched(i.argv(pid1, [helper, "ignore", ready], ["--stop-delay", "0", "--stop-grace", "1s"]), pid1)
                try:
                    for _ in range(500):
                        if os.path.exists(ready):
                            break
                        time.sleep(0.01)
                    time.sleep(0.05)
                    os.kill(l.init_pid, signal.SIGTERM)
                    took = wait_exit(l.init_pid, 10)
                finally:
                    l.kill()
                res["ignoring"][mode].setdefault(i.name, []).append(took * 1e3 if took is not None else None)
            for i in inits:
                l = Launched(i.argv(pid1, [SLEEP, "1000"]), pid1)
                try:
                    l.wait_for_child()
                    time.sleep(0.05)
                    os.kill(l.init_pid, signal.SIGTERM)
                    took = wait_exit(l.init_pid, 10)
                finally:
                    l.kill()
                res["cooperative"][mode].setdefault(i.name, []).append(took * 1e3 if took is not None else None)
        log(f"stop round {r + 1}/{rounds}: ignoring " + ", ".join(
            f"{n} {v[-1]:.0f}" for n, v in res["ignoring"]["pid1"].items() if v[-1]) + " ms; cooperative " + ", ".join(
            f"{n} {v[-1]:.1f}" for n, v in res["cooperative"]["pid1"].items() if v[-1]) + " ms")
    # Peers have no stop grace: with a runtime that ignores TERM they wait
    # forever (the container engine's SIGKILL ends it). Checked once, together.
    started = []
    try:
        for mode in MODES:
            for i in inits:
                if i.is_claw:
                    continue
                ready = os.path.join(OUT, f"stop-{i.name}-{mode}.ready")
                if os.path.exists(ready):
                    os.unlink(ready)
                started.append((mode, i, Launched(i.argv(mode == "pid1", [helper, "ignore", ready]), mode == "pid1"), ready))
        time.sleep(0.5)
        for _, _, l, _ in started:
            os.kill(l.init_pid, signal.SIGTERM)
        time.sleep(3.0)
        for mode, i, l, ready in started:
            res["peers_ignoring"].setdefault(mode, {})[i.name] = {"alive_after_3s": l.alive()}
    finally:
        for _, _, l, ready in started:
            l.kill()
            if os.path.exists(ready):
                os.unlink(ready)
    return res


def parse_wrk(text):
    def dur(s):
        m = re.match(r"([\d.]+)(us|ms|s)", s)
        if not m:
            return None
        return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_ms"] = dur(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    out["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors:.*", text)
    out["socket_errors"] = m.group(0) if m else ""
    m = re.search(r"(\d+) requests in", text)
    out["requests"] = int(m.group(1)) if m else None
    return out


def bench_health(claw, rounds, duration, port):
    """wrk against /health. Shared: wrk (2 threads) and claw-init on the same
    cores, as the issue asks. Pinned: claw-init on CPU 0, wrk (1 thread) on
    CPU 1, which shows what the server itself can do when its load generator
    does not take its CPU away."""
    res = {"port": port, "duration_s": duration, "runs": [], "pinned_runs": [], "paced_runs": []}
    pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset")
    for r in range(rounds):
        for kind in ["shared"] + (["pinned"] if pin else []) + ["paced"]:
            one = health_run(claw, duration, port, kind == "pinned", paced=kind == "paced")
            res[{"shared": "runs", "pinned": "pinned_runs", "paced": "paced_runs"}[kind]].append(one)
            log(f"health round {r + 1}/{rounds} {kind}: {one.get('rps')} req/s, "
                f"p99 {one.get('p99_ms')} ms, rss max {one.get('rss_max_kib')} KiB, non-2xx {one.get('non2xx')}")
    return res


# wrk's per-request delay hook: each of the 50 connections waits 9 ms after
# an answer, so 50 connections ask about 5,000 times a second, the target
# rate, and the latency is the server's, not the queue of a closed loop.
PACED_LUA = "function delay() return 9 end\n"


def health_run(claw, duration, port, pinned, paced=False):
    server_prefix = ["taskset", "-c", "0"] if pinned else []
    wrk_prefix = ["taskset", "-c", "1"] if pinned else []
    threads = "-t1" if pinned else "-t2"
    l = Launched(server_prefix + [claw, "--health-listen", f"127.0.0.1:{port}", "--", SLEEP, "1000"], pid1=False)
    try:
        l.wait_for_child()
        ok = False
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).close()
                ok = True
                break
            except urllib.error.HTTPError:
                ok = True
                break
            except OSError:
                time.sleep(0.05)
        if not ok:
            return {"error": "no answer on /health"}
        rss_idle = rss_kib(l.init_pid)
        samples, stop = [], threading.Event()

        def sample():
            while not stop.is_set():
                v = rss_kib(l.init_pid)
                if v:
                    samples.append(v)
                stop.wait(0.1)
        t = threading.Thread(target=sample)
        t.start()
        script = []
        if paced:
            lua = os.path.join(OUT, "paced.lua")
            with open(lua, "w") as f:
                f.write(PACED_LUA)
            script = ["-s", lua]
        w = run(wrk_prefix + ["wrk", threads, "-c50", f"-d{duration}s", "--latency"] + script +
                [f"http://127.0.0.1:{port}/health"], timeout=duration + 60)
        stop.set()
        t.join()
        one = parse_wrk(w.stdout)
        one.update({"rss_idle_kib": rss_idle, "rss_max_kib": max(samples) if samples else None,
                    "threads": int((proc_status(l.init_pid) or {}).get("Threads", 0))})
        return one
    finally:
        l.kill()


def bench_config_start(claw, rounds, runs):
    """50 CLAW_CONFIG__ vars into a 64 KiB JSON5 config at start-up, then /bin/true."""
    res = {"available": False}
    disk = fixture_64k_json5(os.path.join(OUT, "cfg64k"))
    have = probe_config(claw, disk)
    res["probe"] = have
    if not have["startup"]:
        log("config patching at start-up: not available in this build (" + have["startup_note"] + ")")
        return res
    res["available"] = True
    shm = fixture_64k_json5(os.path.join(OUT, "cfg64k-shm"), target_dir=tempfile.mkdtemp(prefix="claw-bench-", dir="/dev/shm"))
    res["size_bytes"] = disk.size
    res["vars"] = len(disk.env)
    plain = ["/usr/bin/env", "-i"] + [f"{k}={v}" for k, v in sorted(CLEAN_ENV.items())] + [claw, "--", TRUE]
    cmds = [plain] + [fx.env_argv() + [claw, "--profile", fx.profile, "--", TRUE] for fx in (disk, shm)]
    added_disk, added_shm, base = [], [], []
    try:
        for r in range(rounds):
            times = hyperfine(cmds, runs, warmup=5)
            base.append(times[0])
            added_disk.append(times[1] - times[0])
            added_shm.append(times[2] - times[0])
            log(f"config start round {r + 1}/{rounds}: +{added_disk[-1]:.2f} ms (ext4), +{added_shm[-1]:.2f} ms (tmpfs)")
    finally:
        shutil.rmtree(os.path.dirname(shm.target), ignore_errors=True)
    res.update({"added_ms_disk": added_disk, "added_ms_tmpfs": added_shm, "plain_ms": base,
                "target_fs_disk": fs_type(disk.target)})
    return res


def fs_type(path):
    r = run(["findmnt", "-n", "-o", "FSTYPE", "-T", os.path.dirname(path)])
    return r.stdout.strip() or "?"


def bench_patch(claw, rounds, runs):
    """200 vars into 1 MiB JSON, TOML and YAML, the way start-up patches: read,
    parse, patch, serialize, write (target on tmpfs, so the disk is not
    measured), then /bin/true; minus the same start without a profile."""
    res = {"available": False, "formats": {}}
    shm = tempfile.mkdtemp(prefix="claw-bench-", dir="/dev/shm")
    try:
        fixtures = {fmt: fixture_1mib(os.path.join(OUT, f"cfg1m-{fmt}"), fmt, target_dir=os.path.join(shm, fmt))
                    for fmt in ("json", "toml", "yaml")}
        have = probe_config(claw, fixtures["json"])
        res["probe"] = have
        if not have["startup"]:
            log("config patching at start-up: not available in this build (" + have["startup_note"] + ")")
            return res
        res["available"] = True
        plain = ["/usr/bin/env", "-i"] + [f"{k}={v}" for k, v in sorted(CLEAN_ENV.items())] + [
            claw, "--health-listen", "off", "--", TRUE]
        usable = {}
        for fmt, fx in fixtures.items():
            fx.reset_target()
            r = run([claw, "--profile", fx.profile, "--health-listen", "off", "--", TRUE], env={**CLEAN_ENV, **fx.env},
                    timeout=60)
            ok = r.returncode == 0 and os.path.exists(fx.target) and MARKER in open(fx.target).read()
            res["formats"][fmt] = {"size_bytes": fx.size, "vars": len(fx.env), "works": ok,
                                   "note": "" if ok else f"exit {r.returncode}: " + last_words(r.stderr), "ms": []}
            if ok:
                usable[fmt] = fx
        for r in range(rounds):
            cmds = [plain] + [fx.env_argv() + [claw, "--profile", fx.profile, "--health-listen", "off", "--", TRUE]
                              for fx in usable.values()]
            times = hyperfine(cmds, runs, warmup=2)
            for k, fmt in enumerate(usable):
                res["formats"][fmt]["ms"].append(times[k + 1] - times[0])
            log(f"patch round {r + 1}/{rounds}: " + ", ".join(
                f"{fmt} {res['formats'][fmt]['ms'][-1]:.2f} ms" for fmt in usable))
        return res
    finally:
        shutil.rmtree(shm, ignore_errors=True)


# ---------------------------------------------------------------------------
# Callgrind: instructions, stable across noisy runs
# ---------------------------------------------------------------------------

def last_words(stderr):
    """The last line of a program's own stderr, without valgrind's ==pid== lines."""
    lines = [l for l in stderr.strip().splitlines() if l.strip() and not re.match(r"==\d+==", l)]
    return (lines or [""])[-1][:200]


def callgrind_ir(argv, pid1, env=None, expect=0, check=None):
    """Instructions (Ir) of argv's own process. check(stdout) -> bool says the
    run really did the work measured (else the count means nothing)."""
    with tempfile.NamedTemporaryFile(prefix="callgrind.", dir=OUT, delete=False) as tf:
        path = tf.name
    try:
        cmd = (UNSHARE if pid1 else []) + ["valgrind", "--tool=callgrind", f"--callgrind-out-file={path}",
                                           "--"] + argv
        p = subprocess.run(cmd, env=env or CLEAN_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=600)
        if p.returncode != expect:
            return None, f"exit {p.returncode}: " + last_words(p.stderr)
        if check is not None and not check(p.stdout):
            return None, "ran, but did not do the work measured: " + last_words(p.stderr)
        with open(path) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1]), ""
        return None, "no summary line in callgrind output"
    finally:
        if os.path.exists(path):
            os.unlink(path)


def callgrind_scenarios(claw, work):
    """name -> (argv, pid1, env, fixture, check). Fixtures are rebuilt identically each time."""
    os.makedirs(work, exist_ok=True)
    port = free_port()
    cfg = fixture_64k_json5(os.path.join(work, "cfg64k"))
    # 256 KiB rather than 1 MiB keeps bench/check well under a minute;
    # instructions grow linearly with the size, so a regression shows as well.
    big = {fmt: fixture_1mib(os.path.join(work, f"cfg256k-{fmt}"), fmt, 256 * 1024) for fmt in ("json", "toml")}

    def target_patched(fx):
        return lambda _stdout: os.path.exists(fx.target) and MARKER in open(fx.target).read()

    return {
        "version": ([claw, "--version"], False, CLEAN_ENV, None, None),
        "start_health_off": ([claw, "--health-listen", "off", "--", TRUE], True, CLEAN_ENV, None, None),
        "start": ([claw, "--health-listen", f"127.0.0.1:{port}", "--", TRUE], True, CLEAN_ENV, None, None),
        "start_config_64k_json5": ([claw, "--profile", cfg.profile, "--health-listen", "off", "--", TRUE], True,
                                   {**CLEAN_ENV, **cfg.env}, cfg, target_patched(cfg)),
        "start_config_256k_json": ([claw, "--profile", big["json"].profile, "--health-listen", "off", "--", TRUE],
                                   True, {**CLEAN_ENV, **big["json"].env}, big["json"], target_patched(big["json"])),
        "start_config_256k_toml": ([claw, "--profile", big["toml"].profile, "--health-listen", "off", "--", TRUE],
                                   True, {**CLEAN_ENV, **big["toml"].env}, big["toml"], target_patched(big["toml"])),
    }


def measure_callgrind(claw, work, want=None):
    out = {}
    for name, (argv, pid1, env, fx, check) in callgrind_scenarios(claw, work).items():
        if want and name not in want:
            continue
        if fx is not None:
            # Each start patches the same way: from the default, never from a previous run's target.
            fx.reset_target()
        ir, err = callgrind_ir(argv, pid1, env, check=check)
        out[name] = {"ir": ir, "error": err}
    return out


def callgrind_peers(inits):
    out = {}
    for i in inits:
        if i.is_claw:
            continue
        ir, err = callgrind_ir(i.argv(True, [TRUE]), True)
        out[i.name] = {"ir": ir, "error": err}
    return out


def build_info(build_dir):
    info = {}
    cache = os.path.join(build_dir, "CMakeCache.txt") if build_dir else ""
    if cache and os.path.exists(cache):
        for line in open(cache):
            m = re.match(r"(CMAKE_BUILD_TYPE|CLAW_STATIC|CLAW_SANITIZE|CMAKE_CXX_COMPILER):\w+=(.*)", line)
            if m:
                info[m.group(1)] = m.group(2).strip()
    return info


def cmd_check(args):
    claw = os.path.abspath(args.binary)
    if not shutil.which("valgrind"):
        print("SKIP: bench/check: valgrind is not installed (scripts/install-deps.sh installs it)")
        return 77
    if os.geteuid() != 0:
        print("SKIP: bench/check: needs root (start-up is measured as PID 1 of a new PID namespace)")
        return 77
    binfo = build_info(args.build_dir)
    if binfo and (binfo.get("CMAKE_BUILD_TYPE") != "Release" or binfo.get("CLAW_SANITIZE", "OFF") not in ("OFF", "")
                  or binfo.get("CLAW_STATIC", "ON") != "ON"):
        print(f"SKIP: bench/check: the baseline is for a static Release build; {args.build_dir} is {binfo}")
        return 77
    os.makedirs(OUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="check-", dir=OUT)
    try:
        t0 = time.monotonic()
        current = measure_callgrind(claw, os.path.join(work, "fx"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = {}
    if os.path.exists(BASELINE):
        base = json.load(open(BASELINE)).get("scenarios", {})
    if args.update:
        data = {
            "about": "callgrind instructions (Ir) of claw-init, recorded by `bench/check --update`; "
                     "`bench/check` fails when one grows by more than the tolerance",
            "tolerance": args.tolerance,
            "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
            "git": git_describe(),
            "valgrind": run(["valgrind", "--version"]).stdout.strip(),
            "compiler": (run(["c++", "--version"]).stdout.splitlines() or [""])[0],
            "scenarios": {k: v["ir"] for k, v in current.items() if v["ir"] is not None},
            "unavailable": {k: v["error"] for k, v in current.items() if v["ir"] is None},
        }
        with open(BASELINE, "w") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"bench/check: recorded {len(data['scenarios'])} scenarios in {BASELINE}")
        return 0
    failed = 0
    print(f"{'scenario':<26} {'baseline Ir':>14} {'current Ir':>14} {'change':>8}  verdict")
    for name, cur in current.items():
        b = base.get(name)
        ir = cur["ir"]
        if ir is None and b is None:
            print(f"{name:<26} {'-':>14} {'-':>14} {'':>8}  not available ({cur['error']})")
            continue
        if ir is None:
            print(f"{name:<26} {b:>14,} {'-':>14} {'':>8}  FAIL: no longer runs ({cur['error']})")
            failed += 1
            continue
        if b is None:
            print(f"{name:<26} {'-':>14} {ir:>14,} {'':>8}  new (record it with bench/check --update)")
            continue
        change = ir / b - 1
        verdict = "ok"
        if change > args.tolerance:
            verdict = f"FAIL: more than {args.tolerance:.0%} above the baseline"
            failed += 1
        elif change < -args.tolerance:
            verdict = "ok, much better: record it with bench/check --update"
        print(f"{name:<26} {b:>14,} {ir:>14,} {change:>+8.1%}  {verdict}")
    print(f"bench/check: {len(current)} scenarios in {time.monotonic() - t0:.1f} s, {failed} failed")
    if failed:
        print("If the increase is intended (a new start-up step), run bench/check --update and commit bench/baseline.json.")
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def git_describe():
    if os.environ.get("CLAW_BENCH_GIT"):
        return os.environ["CLAW_BENCH_GIT"][:12]
    r = run(["git", "-C", SRC, "describe", "--always", "--dirty", "--tags"])
    return r.stdout.strip() or "unknown"


def dpkg_version(pkg):
    r = run(["dpkg-query", "-W", "-f", "${Version}", pkg])
    return r.stdout.strip() if r.returncode == 0 else None


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine_info(claw):
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // 1024
    debian = open("/etc/debian_version").read().strip() if os.path.exists("/etc/debian_version") else ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "cores": os.cpu_count(), "mem_mib": mem, "kernel": platform.release(), "debian": debian,
        "claw_init": run([claw, "--version"]).stdout.strip(), "git": git_describe(),
        "compiler": (run(["c++", "--version"]).stdout.splitlines() or [""])[0],
        "packages": {p: dpkg_version(p) for p in ("tini", "dumb-init", "catatonit", "hyperfine", "wrk", "valgrind")},
    }


def wait_quiet(minutes, limit=1.0):
    deadline = time.monotonic() + minutes * 60
    while True:
        la = loadavg()
        if la[0] < limit:
            return la
        if time.monotonic() >= deadline:
            log(f"load average still {la[0]:.2f} (>= {limit}); measuring anyway, ratios stay comparable")
            return la
        log(f"load average {la[0]:.2f} >= {limit}: waiting for a quieter machine")
        time.sleep(30)


def cmd_measure(args):
    claw = os.path.abspath(args.claw_init)
    for k in list(os.environ):
        if k.startswith("CLAW_") and not k.startswith("CLAW_BENCH_"):
            del os.environ[k]
    if os.path.exists("/etc/claw/profile.toml"):
        log("warning: /etc/claw/profile.toml exists and is read by every claw-init run")
    os.makedirs(OUT, exist_ok=True)
    quick = args.quick
    rounds = args.rounds or (1 if quick else 5)
    la_before = wait_quiet(args.wait_quiet)
    inits = make_inits(claw, lambda: free_port())
    health_port = free_port(18700)
    res = {"meta": machine_info(claw), "rounds": rounds, "quick": quick}
    res["meta"]["load_before"] = la_before
    t0 = time.monotonic()
    steps = args.only.split(",") if args.only else None

    def want(name):
        return steps is None or name in steps

    res["health_probe"] = probe_health(claw)
    log(f"health server: {'serving' if res['health_probe']['serving'] else 'not serving in this build'}")
    try:
        if want("size"):
            res["size"] = bench_size(inits)
        if want("start"):
            res["start"] = bench_start(inits, rounds, 60 if quick else 300)
        if want("config"):
            res["config_start"] = bench_config_start(claw, rounds, 30 if quick else 100)
        if want("patch"):
            res["patch"] = bench_patch(claw, rounds, 10 if quick else 30)
        if want("idle"):
            res["idle"] = bench_idle(inits, rounds if not quick else 1, settle=5.0, window=10.0, notify_claw=claw)
        if want("reap"):
            res["reap"] = bench_reap(inits, rounds, 2000 if quick else 10000)
        if want("signals"):
            res["signals"] = bench_signals(inits, rounds, 200 if quick else 1000)
        if want("stop"):
            res["stop"] = bench_stop(inits, rounds)
        if want("health"):
            if res["health_probe"]["serving"]:
                res["health"] = bench_health(claw, rounds if not quick else 1, 3 if quick else 10, health_port)
            else:
                res["health"] = {"available": False}
        if want("redact"):
            res["redact"] = redact_rows.measure(sys.modules[__name__], claw, rounds, quick)
        if want("callgrind") and shutil.which("valgrind"):
            res["callgrind"] = {"claw": measure_callgrind(claw, os.path.join(OUT, "cg-fx")),
                                "peers": callgrind_peers(inits)}
    finally:
        kill_everything_started()
    res["meta"]["load_after"] = loadavg()
    res["meta"]["duration_s"] = round(time.monotonic() - t0, 1)
    if steps and os.path.exists(args.results):
        old = json.load(open(args.results))
        old.update({k: v for k, v in res.items() if k not in ("meta",)})
        old["meta"] = res["meta"]
        res = old
    with open(args.results, "w") as f:
        json.dump(res, f, indent=1)
    log(f"results in {args.results} ({res['meta']['duration_s']} s)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--claw-init", required=True)
    m.add_argument("--rounds", type=int, default=0)
    m.add_argument("--quick", action="store_true", help="one short round of each, for trying the harness")
    m.add_argument("--only", help="comma-separated steps: size,start,config,patch,idle,reap,signals,stop,health,redact,callgrind")
    m.add_argument("--wait-quiet", type=float, default=0, help="minutes to wait for load average < 1.0")
    m.add_argument("--results", default=RESULTS)
    r = sub.add_parser("report")
    r.add_argument("--results", default=RESULTS)
    r.add_argument("--md", default=DOC_MD)
    r.add_argument("--png", default=DOC_PNG)
    c = sub.add_parser("check")
    c.add_argument("--binary", required=True)
    c.add_argument("--build-dir", default="")
    c.add_argument("--update", action="store_true")
    c.add_argument("--tolerance", type=float, default=0.20)
    args = ap.parse_args()
    if args.cmd == "measure":
        return cmd_measure(args)
    if args.cmd == "check":
        return cmd_check(args)
    import report  # noqa: E402  (bench/report.py, beside this file)
    return report.write(args.results, args.md, args.png)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        kill_everything_started()
        sys.exit(130)
