#!/usr/bin/python3
"""Small helpers the host scripts call where bash is the wrong tool.

  check-yaml FILE            parse a ShinyProxy application.yml; exit 1 with the reason if unusable
  images FILE                print the container images its specs name, one per line
  assemble SETPATH OUTDIR    read `aws ssm get-parameters-by-path` JSON on stdin and rebuild the
                             files a config set holds (manifest + parts), checking each sha256;
                             exit 4 when the set has no manifest (nothing delivered yet)

Runs on Amazon Linux 2023's system python3 (3.9) with python3-pyyaml, so no newer syntax.
"""
import hashlib
import json
import os
import sys

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


def assemble(set_path, outdir):
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


def main(argv):
    if len(argv) == 3 and argv[1] == "check-yaml":
        load_application(argv[2])
    elif len(argv) == 3 and argv[1] == "images":
        images(argv[2])
    elif len(argv) == 4 and argv[1] == "assemble":
        assemble(argv[2], argv[3])
    else:
        fail(__doc__, 2)


if __name__ == "__main__":
    main(sys.argv)
