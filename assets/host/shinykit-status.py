#!/usr/bin/python3
"""shinykit-status: what this host is doing, as one JSON document on stdout (read-only).

`shinykit status` runs it through SSM Run Command: memory, swap, disk, uptime, the services, the
certificate, the config that is live (and who applied it), the images the apps run, and the open
sessions per app and user. Sessions come from Docker's labels on the containers ShinyProxy starts
(containerproxy puts openanalytics.eu/sp-spec-id, sp-user-id and sp-proxy-id on each); with the
ECS backend the host cannot see them and says so (sessions: null).

Injectable for tests: SHINYKIT_ROOT (filesystem root, default /), SHINYKIT_PROC (default /proc),
SHINYKIT_DOCKER and SHINYKIT_SYSTEMCTL (commands, split on spaces), SHINYKIT_ENV_FILE.
Runs on Amazon Linux 2023's system python3 (3.9) with python3-pyyaml.
"""
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys

import yaml

ROOT = os.environ.get("SHINYKIT_ROOT", "/")
PROC = os.environ.get("SHINYKIT_PROC", "/proc")
DOCKER = shlex.split(os.environ.get("SHINYKIT_DOCKER", "docker"))
SYSTEMCTL = shlex.split(os.environ.get("SHINYKIT_SYSTEMCTL", "systemctl"))
ENV_FILE = os.environ.get("SHINYKIT_ENV_FILE", "/etc/shinykit/host.env")
LABEL = "openanalytics.eu/sp-"
MAX_SESSIONS = 200


def path(*parts):
    return os.path.join(ROOT, *parts)


def run(argv):
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, str(err)
    return (done.stdout if done.returncode == 0 else None), done.stderr.strip()


def read_json(file):
    try:
        with open(file, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def host_env():
    values = {}
    try:
        with open(ENV_FILE, encoding="utf-8") as handle:
            for line in handle:
                key, sep, value = line.strip().partition("=")
                if sep:
                    values[key] = value.strip("'")
    except OSError:
        pass
    return values


def memory():
    info = {}
    with open(os.path.join(PROC, "meminfo"), encoding="utf-8") as handle:
        for line in handle:
            key, _, rest = line.partition(":")
            info[key] = int(rest.split()[0]) // 1024
    with open(os.path.join(PROC, "uptime"), encoding="utf-8") as handle:
        uptime = int(float(handle.read().split()[0]))
    disk = shutil.disk_usage(ROOT)
    gib = 1024 ** 3
    return {
        "uptimeSeconds": uptime,
        "memory": {"totalMiB": info.get("MemTotal", 0), "availableMiB": info.get("MemAvailable", 0)},
        "swap": {"totalMiB": info.get("SwapTotal", 0), "usedMiB": info.get("SwapTotal", 0) - info.get("SwapFree", 0)},
        "disk": {
            "totalGiB": round(disk.total / gib, 1),
            "usedGiB": round(disk.used / gib, 1),
            "freeGiB": round(disk.free / gib, 1),
            "usedPercent": round(100.0 * disk.used / disk.total, 1) if disk.total else 0,
        },
    }


def services():
    out = {}
    for name in ("nginx", "shinyproxy", "docker"):
        text, _ = run(SYSTEMCTL + ["is-active", name])
        out[name] = (text or "inactive").strip() or "unknown"
    return out


def certificate(site):
    file = path("etc/letsencrypt/live", site, "fullchain.pem") if site else ""
    if not site or not os.path.isfile(file):
        return None
    text, _ = run(["openssl", "x509", "-noout", "-issuer", "-enddate", "-in", file])
    if not text:
        return None
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    not_after = fields.get("notAfter", "").strip()
    days = None
    try:
        end = datetime.datetime.strptime(not_after, "%b %d %H:%M:%S %Y %Z")
        days = (end - datetime.datetime.utcnow()).days
    except ValueError:
        pass
    return {"issuer": fields.get("issuer", "").strip(), "notAfter": not_after, "daysLeft": days}


def live_specs():
    try:
        with open(path("etc/shinyproxy/application.yml"), encoding="utf-8") as handle:
            doc = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError):
        return "unknown", []
    proxy = doc.get("proxy") or {}
    return proxy.get("container-backend", "docker"), [s for s in proxy.get("specs") or [] if isinstance(s, dict)]


def images(specs):
    listing, _ = run(DOCKER + ["image", "ls", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"])
    present = set()
    for line in (listing or "").splitlines():
        fields = line.split()
        if len(fields) == 3:
            present.add("%s@%s" % (fields[0], fields[2]))
            present.add("%s:%s" % (fields[0], fields[1]))
    return [
        {"app": s.get("id"), "image": s.get("container-image"), "present": None if listing is None else s.get("container-image") in present}
        for s in specs
    ]


def sessions(backend):
    if backend != "docker":
        return None, "the %s backend runs sessions off this host" % backend
    fmt = "\t".join('{{.Label "%s%s"}}' % (LABEL, key) for key in ("spec-id", "user-id", "proxy-id")) + "\t{{.CreatedAt}}"
    text, err = run(DOCKER + ["ps", "--filter", "label=%sproxy-id" % LABEL, "--format", fmt])
    if text is None:
        return None, "docker ps failed: %s" % err
    found = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            app, user, proxy_id, created = parts
            # A session may run several containers; count it once.
            found.setdefault(proxy_id, {"app": app, "user": user, "proxyId": proxy_id, "created": created})
    return sorted(found.values(), key=lambda s: (s["app"], s["user"]))[:MAX_SESSIONS], None


def main():
    env = host_env()
    backend, specs = live_specs()
    live, why = sessions(backend)
    applied = read_json(path("var/lib/shinykit/applied.json")) or {}
    doc = {
        "format": 1,
        "time": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": memory(),
        "services": services(),
        "certificate": certificate(env.get("SHINYKIT_SITE_HOSTNAME", "")),
        "config": {
            "result": applied.get("result"),
            "appliedAt": applied.get("time"),
            "id": (applied.get("config") or {}).get("id"),
            "createdAt": (applied.get("config") or {}).get("createdAt"),
            "createdBy": (applied.get("config") or {}).get("createdBy"),
        },
        "backend": backend,
        "images": images(specs) if backend == "docker" else [],
        "sessions": live,
        "sessionCount": None if live is None else len(live),
    }
    if why:
        doc["sessionsUnknown"] = why
    sys.stdout.write(json.dumps(doc) + "\n")


if __name__ == "__main__":
    main()
