#!/usr/bin/python3
"""Small helpers the host scripts call where bash is the wrong tool.

  check-yaml FILE            parse a ShinyProxy application.yml; exit 1 with the reason if unusable
  images FILE                print the container images its specs name, one per line
  assemble SETPATH OUTDIR [META]
                             read `aws ssm get-parameters-by-path` JSON on stdin and rebuild the
                             files a config set holds (manifest + parts), checking each sha256;
                             exit 4 when the set has no manifest (nothing delivered yet); META
                             receives the manifest's `meta` (id, createdAt, createdBy) as JSON
  apply-status OUT RESULT REASON NGINX APP [META]
                             write apply's status document: JSON-encoded, the reason cut until
                             the whole fits a Standard-tier parameter (4096 bytes)
  is-older META APPLIED      exit 0 when the set described by META was created before the one
                             recorded in APPLIED (so a reboot must not re-apply it)
  auth-url FILE              print proxy.openid.auth-url without its query ('' without openid)
  check-login LOCATION AUTH_BASE SITE
                             check a login redirect: to AUTH_BASE/oauth2/authorize with
                             redirect_uri=https://SITE/login/oauth2/code/shinyproxy
  prune IMAGES LIVE [PREVIOUS...]
                             IMAGES: `docker image ls --digests` lines (ID REPO TAG DIGEST); print
                             the ids of images of the configs' repositories that no config names
  secret-refs FILE           print the secret references under `shinykit.app-secrets` (never values),
                             one per line: APP<TAB>NAME<TAB>SERVICE<TAB>ID<TAB>REGION (REGION: '' unless an ARN's)
  env-entry NAME             read the aws CLI's JSON output (one string: the value) on stdin and print
                             NAME=value as java.util.Properties reads it (ShinyProxy's container-env-file)

Runs on Amazon Linux 2023's system python3 (3.9) with python3-pyyaml, so no newer syntax.
"""
import hashlib
import json
import os
import re
import sys
import time
from urllib.parse import parse_qs, urlparse

import yaml

NO_MANIFEST = 4


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def load_application(path):
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.safe_load(handle)
    except OSError as err:
        fail("cannot read %s: %s" % (path, err.strerror))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = " at line %d column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        fail("application.yml is not valid YAML%s: %s" % (where, problem))
    if not isinstance(doc, dict) or not isinstance(doc.get("proxy"), dict):
        fail("application.yml has no 'proxy:' section; it is not a ShinyProxy config")
    specs = doc["proxy"].get("specs", [])
    if not isinstance(specs, list):
        fail("application.yml: proxy.specs must be a list")
    for index, spec in enumerate(specs):
        if not isinstance(spec, dict) or not spec.get("id"):
            fail("application.yml: proxy.specs[%d] has no id" % index)
    return doc


def images(path):
    doc = load_application(path)
    found = set()
    for spec in doc["proxy"].get("specs", []):
        image = spec.get("container-image")
        if isinstance(image, str) and image.strip():
            found.add(image.strip())
    for image in sorted(found):
        print(image)


STATUS_LIMIT = 4096


def apply_status(out, result, reason, nginx, app, meta_path=None):
    doc = {
        "result": result,
        "reason": reason,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "nginxSha256": file_sha(nginx),
        "applicationSha256": file_sha(app),
    }
    if meta_path and os.path.isfile(meta_path):
        with open(meta_path, encoding="utf-8") as handle:
            doc["config"] = json.load(handle)
    text = json.dumps(doc, ensure_ascii=False)
    reason, marker = doc["reason"], ""
    while len(text.encode("utf-8")) > STATUS_LIMIT and reason:
        # A character takes 1 to 4 bytes once encoded: cut a quarter of the excess (at least 16) per round.
        excess = len(text.encode("utf-8")) - STATUS_LIMIT
        reason, marker = reason[: max(0, len(reason) - max(16, excess // 4))], " [truncated]"
        doc["reason"] = reason + marker
        text = json.dumps(doc, ensure_ascii=False)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(tmp, out)


def file_sha(path):
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return "none"


def is_older(meta_path, applied_path):
    try:
        with open(meta_path, encoding="utf-8") as handle:
            meta = json.load(handle)
        with open(applied_path, encoding="utf-8") as handle:
            applied = json.load(handle).get("config") or {}
    except (OSError, ValueError):
        sys.exit(1)
    ours, theirs = meta.get("createdAt"), applied.get("createdAt")
    # ISO-8601 UTC timestamps of one format compare as strings.
    sys.exit(0 if isinstance(ours, str) and isinstance(theirs, str) and ours < theirs else 1)


def auth_url(path):
    doc = load_application(path)
    if doc["proxy"].get("authentication") != "openid":
        return
    url = str((doc["proxy"].get("openid") or {}).get("auth-url") or "")
    print(url.split("?", 1)[0])


def check_login(location, auth_base, site):
    parsed = urlparse(location)
    expected = urlparse(auth_base.rstrip("/") + "/oauth2/authorize")
    if not location:
        fail("no redirect: ShinyProxy did not send the browser to a login page")
    if (parsed.scheme, parsed.netloc, parsed.path) != (expected.scheme, expected.netloc, expected.path):
        fail("the login redirects to %s://%s%s, not to this user pool's %s" % (
            parsed.scheme, parsed.netloc, parsed.path, expected.geturl()))
    query = parse_qs(parsed.query)
    want = "https://%s/login/oauth2/code/shinyproxy" % site
    got = (query.get("redirect_uri") or [""])[0]
    if got != want:
        fail("the login's redirect_uri is %r, but Cognito only accepts %r" % (got, want))
    print("login redirects to %s with redirect_uri %s" % (expected.geturl(), want))


def image_repository(reference):
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: name.rfind(":")]
    return name


def prune(images_path, config_paths):
    named, repositories = set(), set()
    for path in config_paths:
        if not os.path.isfile(path):
            continue
        for spec in load_application(path)["proxy"].get("specs", []):
            image = str(spec.get("container-image") or "").strip()
            if image:
                named.add(image)
                repositories.add(image_repository(image))
    keep, candidates = set(), set()
    with open(images_path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) != 4:
                continue
            image_id, repo, tag, digest = fields
            if repo not in repositories:
                continue
            refs = {"%s@%s" % (repo, digest), "%s:%s" % (repo, tag)}
            if refs & named:
                keep.add(image_id)
            else:
                candidates.add(image_id)
    for image_id in sorted(candidates - keep):
        print(image_id)


def assemble(set_path, outdir, meta_out=None):
    try:
        listing = json.load(sys.stdin)
    except ValueError as err:
        fail("Parameter Store answer is not JSON: %s" % err)
    values = {p["Name"]: p["Value"] for p in listing.get("Parameters", [])}
    manifest_text = values.get(set_path + "manifest")
    if manifest_text is None:
        fail("no configuration below %s yet" % set_path, NO_MANIFEST)
    try:
        manifest = json.loads(manifest_text)
        files = manifest["files"]
    except (ValueError, KeyError, TypeError):
        fail("%smanifest is not a shinykit manifest" % set_path)
    for name, meta in sorted(files.items()):
        if name.startswith("/") or ".." in name.split("/"):
            fail("manifest names an unsafe file path: %s" % name)
        parts = []
        for index in range(int(meta["parts"])):
            key = "%s%s/%d" % (set_path, name, index)
            if key not in values:
                fail("part %s is missing from Parameter Store" % key)
            parts.append(values[key])
        data = "".join(parts).encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        if digest != meta["sha256"]:
            fail("%s%s does not match its manifest checksum (a delivery in progress?)" % (set_path, name))
        target = os.path.join(outdir, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
        print("%s %s" % (digest, name))
    if meta_out:
        meta = manifest.get("meta") if isinstance(manifest.get("meta"), dict) else {}
        with open(meta_out, "w", encoding="utf-8") as handle:
            json.dump(meta, handle)


ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
APP_ID = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
ARN = re.compile(r"^arn:aws[a-z-]*:(ssm|secretsmanager):([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:.+$")


def secret_refs(path):
    doc = load_application(path)
    section = doc.get("shinykit") or {}
    refs = section.get("app-secrets") or {} if isinstance(section, dict) else {}
    if not isinstance(refs, dict):
        fail("application.yml: shinykit.app-secrets must map app ids to NAME: reference")
    for app, names in sorted(refs.items()):
        if not isinstance(app, str) or not APP_ID.match(app) or not isinstance(names, dict):
            fail("application.yml: shinykit.app-secrets has an entry that is not <app id>: {NAME: reference}")
        for name, ref in sorted(names.items()):
            if not isinstance(name, str) or not ENV_NAME.match(name) or not isinstance(ref, str):
                fail("application.yml: shinykit.app-secrets.%s has an entry that is not NAME: reference" % app)
            match = ARN.match(ref)
            if match:
                service, ident, region = match.group(1), ref, match.group(2)
            elif ref.startswith("ssm:") or ref.startswith("secretsmanager:"):
                service, ident = ref.split(":", 1)
                region = ""
            else:
                fail("application.yml: shinykit.app-secrets.%s.%s is not a reference shinykit knows" % (app, name))
            if not ident or any(c in ident for c in "\t\n"):
                fail("application.yml: shinykit.app-secrets.%s.%s is empty or has a tab or newline" % (app, name))
            print("\t".join((app, name, service, ident, region)))


def properties_escape(text, key=False):
    """java.util.Properties.load(InputStream) reads ISO-8859-1 with backslash escapes: escape
    everything else as \\uXXXX (UTF-16 units, as Java holds strings), and what the format
    gives a meaning (\\, line breaks, a leading space, and = : # ! in a key)."""
    out = []
    for index, char in enumerate(text):
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char in "\n\r\t\f":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f"}[char])
        elif char == " " and (key or index == 0):
            out.append("\\ ")
        elif char in "=:#!" and key:
            out.append("\\" + char)
        elif code < 0x20 or code > 0x7E:
            if code > 0xFFFF:
                code -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)))
            else:
                out.append("\\u%04x" % code)
        else:
            out.append(char)
    return "".join(out)


def env_entry(name):
    if not ENV_NAME.match(name):
        fail("%s is not an environment variable name" % name)
    try:
        value = json.load(sys.stdin)
    except ValueError:
        fail("the value of %s did not arrive as the aws CLI's JSON output" % name)
    if not isinstance(value, str):
        fail("%s has no text value (a Secrets Manager secret stored as binary, or an empty answer)" % name)
    sys.stdout.write("%s=%s\n" % (properties_escape(name, key=True), properties_escape(value)))


def main(argv):
    if len(argv) == 3 and argv[1] == "check-yaml":
        load_application(argv[2])
    elif len(argv) == 3 and argv[1] == "images":
        images(argv[2])
    elif len(argv) in (4, 5) and argv[1] == "assemble":
        assemble(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
    elif len(argv) in (7, 8) and argv[1] == "apply-status":
        apply_status(*argv[2:])
    elif len(argv) == 4 and argv[1] == "is-older":
        is_older(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "auth-url":
        auth_url(argv[2])
    elif len(argv) == 5 and argv[1] == "check-login":
        check_login(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "secret-refs":
        secret_refs(argv[2])
    elif len(argv) == 3 and argv[1] == "env-entry":
        env_entry(argv[2])
    elif len(argv) >= 4 and argv[1] == "prune":
        prune(argv[2], argv[3:])
    else:
        fail(__doc__, 2)


if __name__ == "__main__":
    main(sys.argv)
