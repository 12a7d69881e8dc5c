#!/usr/bin/python3
"""Checks a rendered manifest set (`kubectl kustomize kubernetes/RUNTIME`)
against the image it runs and the rules of docs/kubernetes.md:

    kube_policy_check.py RENDERED.yaml images/RUNTIME

The image's facts come from its own files: the profile (user, health port,
stop grace and delay, config target and aliases, upstream port), the
default config (the keys a _FILE variable may name) and the Dockerfile
(version; the uid of a user the profile names; the runner's data
variables). Prints `ok - ...` or `FAIL - ...` per rule; exits 1 if any
rule fails.
"""
import json
import os
import re
import sys
import tomllib
from urllib.parse import urlparse

import yaml

MARGIN_S = (2, 10)    # claw-init's own exit after the stop grace: at least 2 s, at most 10 s
SECRETISH = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|APIKEY|_KEY)$")


def seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", str(text))
    if not m:
        raise ValueError(f"not a duration: {text}")
    n, unit = int(m.group(1)), m.group(2) or "s"
    return {"ms": n / 1000, "s": n, "m": n * 60}[unit]


def load_json5(text):
    """The JSON5 the images' defaults use (comments, bare keys, trailing
    commas, single quotes) as plain JSON; strings are left alone."""
    string = r""""(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'"""
    text = re.sub(string + r"|//[^\n]*|/\*.*?\*/",
                  lambda m: "" if m.group(0)[0] == "/" else m.group(0), text, flags=re.S)
    def plain(m):
        t = m.group(0)
        if t[0] == "'":
            return json.dumps(t[1:-1])
        return t if t[0] == '"' else "" if t[0] == "," else json.dumps(t)
    return json.loads(re.sub(string + r"|,(?=\s*[}\]])|[A-Za-z_$][\w$]*(?=\s*:)", plain, text))


def has_key(doc, dotted):
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return False
        doc = doc[part]
    return True


def runtime_user(profile, dockerfile):
    """(uid, gid) of the profile's [runtime] user: numeric as written, or a
    name the Dockerfile creates with `useradd --uid N --gid M ... NAME`."""
    spec = str(profile["runtime"].get("user", ""))
    m = re.fullmatch(r"(\d+)(?::(\d+))?", spec)
    if m:
        return int(m.group(1)), int(m.group(2) or m.group(1))
    name = spec.split(":")[0]
    m = re.search(rf"useradd (.*--uid (\d+).*) {re.escape(name)}$", dockerfile, re.M)
    if not m:
        return None, None
    gid = re.search(r"--gid (\d+)", m.group(1))
    return int(m.group(2)), int(gid.group(1)) if gid else None


def runner_env(dockerfile):
    """NAME -> value of every ENV of the Dockerfile's last stage."""
    text = re.sub(r"\\\n", " ", dockerfile).split("\nFROM ")[-1]
    env = {}
    for line in re.findall(r"^ENV (.*)$", text, re.M):
        env.update(re.findall(r"(\w+)=(\S+)", line))
    return env


def main(rendered, image_dir):
    docs = [d for d in yaml.safe_load_all(open(rendered, encoding="utf-8")) if d]
    profile = tomllib.load(open(f"{image_dir}/profile.toml", "rb"))
    dockerfile = open(f"{image_dir}/Dockerfile", encoding="utf-8").read()
    runtime = profile["runtime"]["name"]
    results = []

    def check(what, ok, detail=""):
        results.append(bool(ok))
        print(("ok - " if ok else "FAIL - ") + what + ("" if ok else f" ({detail})"))

    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    check("one Deployment, Service, PersistentVolumeClaim and Secret",
          sorted(by_kind) == ["Deployment", "PersistentVolumeClaim", "Secret", "Service"]
          and all(len(v) == 1 for v in by_kind.values()), sorted(by_kind))
    dep, svc, secret = by_kind["Deployment"][0], by_kind["Service"][0], by_kind["Secret"][0]
    spec, pod = dep["spec"], dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    check("one replica, replaced with Recreate (a single writer of its state)",
          spec.get("replicas") == 1 and spec.get("strategy", {}).get("type") == "Recreate", spec.get("strategy"))

    version = re.search(rf"ARG {runtime.upper()}_VERSION=(\S+)", dockerfile).group(1)
    repo, _, tag = c["image"].rpartition(":")
    check(f"image tag is the version-probe tag v{version}", tag == f"v{version}", c["image"])
    check("image repository is the runtime's", repo.endswith(f"/{runtime}"), repo)

    env = {e["name"]: e for e in c.get("env", [])}
    inline = [n for n, e in env.items() if SECRETISH.search(n) and "value" in e]
    check("no secret value inline in the environment", not inline, inline)
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    secret_dirs = {m["mountPath"]: volumes[n]["secret"]["secretName"]
                   for n, m in mounts.items() if "secret" in volumes.get(n, {})}
    files = [e["value"] for n, e in env.items() if n.endswith("_FILE")]
    check("the runtime's key comes from a _FILE variable", files, sorted(env))
    default = f"{image_dir}/{os.path.basename(profile['config']['default'])}"
    text = open(default, encoding="utf-8").read()
    config = tomllib.loads(text) if profile["config"]["format"] == "toml" else load_json5(text)
    aliases = profile["config"].get("env", {})
    for name in (n for n in env if n.endswith("_FILE")):
        base = name[:-len("_FILE")]
        key = base[len("CLAW_CONFIG__"):].replace("__", ".") if base.startswith("CLAW_CONFIG__") else aliases.get(base)
        check(f"{name} names a key of the image's default config ({key})",
              key and has_key(config, key), f"{os.path.basename(default)} has no such key; aliases: {aliases}")
    for path in files:
        directory, _, key = path.rpartition("/")
        check(f"{path} is a key of the Secret {secret['metadata']['name']} mounted read-only",
              secret_dirs.get(directory) == secret["metadata"]["name"] and key in secret.get("data", {})
              and mounts[next(n for n, m in mounts.items() if m["mountPath"] == directory)].get("readOnly"),
              secret_dirs)

    health_port = int(profile["health"]["listen"].rsplit(":", 1)[1])
    upstream_port = urlparse(profile["health"]["upstream"]).port
    ports = {p["containerPort"] for p in c.get("ports", [])}
    check(f"container ports are the runtime's ({upstream_port}) and claw-init's health port ({health_port})",
          ports == {upstream_port, health_port}, ports)
    for probe, path in (("startupProbe", "/health/live"), ("livenessProbe", "/health/live"),
                        ("readinessProbe", "/health/ready")):
        got = c.get(probe, {}).get("httpGet", {})
        check(f"{probe} is httpGet {path} on the health port",
              got.get("path") == path and got.get("port") == health_port, got)
    svc_ports = [p["port"] for p in svc["spec"]["ports"]]
    check("the Service carries the runtime's port only (the health port stays in the pod)",
          svc_ports == [upstream_port] and svc["spec"].get("type", "ClusterIP") == "ClusterIP", svc_ports)

    stop = profile.get("stop", {})
    grace = seconds(env.get("CLAW_STOP_GRACE", {}).get("value", stop.get("grace", "8s")))
    delay = seconds(env.get("CLAW_STOP_DELAY", {}).get("value", stop.get("delay", "0s")))
    check("CLAW_STOP_DELAY is set, so endpoints drain before the runtime gets TERM", delay > 0, delay)
    total = pod.get("terminationGracePeriodSeconds")
    check(f"terminationGracePeriodSeconds = stop grace {grace:g} + stop delay {delay:g} + a margin of "
          f"{MARGIN_S[0]}..{MARGIN_S[1]} s", isinstance(total, int)
          and grace + delay + MARGIN_S[0] <= total <= grace + delay + MARGIN_S[1], total)
    check("terminationMessagePath is claw-init's default termination log",
          c.get("terminationMessagePath") == "/dev/termination-log", c.get("terminationMessagePath"))

    uid, gid = runtime_user(profile, dockerfile)
    psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
    check(f"runs as the image's runtime user ({profile['runtime'].get('user')} = {uid}:{gid}), never root",
          psc.get("runAsNonRoot") is True and uid and psc.get("runAsUser") == uid
          and psc.get("runAsGroup") == gid, psc)
    check(f"fsGroup {gid}: the volume and the secret files are the runtime's group", psc.get("fsGroup") == gid, psc)
    check("no privilege escalation, every capability dropped, RuntimeDefault seccomp",
          csc.get("allowPrivilegeEscalation") is False and csc.get("capabilities", {}).get("drop") == ["ALL"]
          and (psc.get("seccompProfile") or csc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", csc)
    check("read-only root filesystem", csc.get("readOnlyRootFilesystem") is True, csc)
    target = profile["config"]["target"]
    state = [m["mountPath"] for n, m in mounts.items() if "persistentVolumeClaim" in volumes.get(n, {})]
    on_state = lambda path: any(path == p or path.startswith(p.rstrip("/") + "/") for p in state)
    check(f"the config target {target} is on the PersistentVolumeClaim", on_state(target), state)
    data = {n: v for n, v in runner_env(dockerfile).items() if n.startswith(runtime.upper() + "_") and v.startswith("/")}
    check(f"the image's data paths ({', '.join(f'{n}={v}' for n, v in sorted(data.items())) or 'none'}) are on the PersistentVolumeClaim",
          all(on_state(v) for v in data.values()), state)
    check("/tmp is a writable emptyDir", any(m["mountPath"] == "/tmp" and "emptyDir" in volumes[n]
                                               for n, m in mounts.items()), sorted(mounts))
    return 0 if all(results) else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: kube_policy_check.py RENDERED.yaml images/RUNTIME", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
