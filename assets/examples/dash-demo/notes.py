"""A setting, a secret and per-user storage, the way the Dash demo uses them.

All three arrive as environment variables of the container (shinykit.yaml:
apps[].env becomes ShinyProxy's container-env, apps[].secrets a
container-env-file only the container runtime reads, apps[].storage a
directory mounted into the container):

- CURRENCY (a plain setting): the currency the revenue figures are in.
- NOTES_SIGNING_KEY (a secret): signs each saved note (HMAC-SHA256 over
  "<user>\\n<note>"), so a note edited outside the app, or copied into another
  user's file, is refused. It is read when needed, never shown or logged.
- SHINYKIT_STORAGE_DIR (storage; apps[].storage sets it): each user's note is
  one file under notes/, named by the hex of the user name, so users stay
  apart even when the storage is shared by every user of the app. Without it
  notes go to /home/app/data, which the image creates but nothing keeps, and
  the app says so.

The Shiny demo (app.R) does the same with the same file format. Kept free of
any dash import so it can be tested on its own (test_notes.py).
"""

from __future__ import annotations

import hmac
import json
import os
import time
from hashlib import sha256
from typing import Mapping, Optional, Tuple

DEFAULT_CURRENCY = "USD"
DEFAULT_STORAGE_DIR = "/home/app/data"


def _setting(env: Optional[Mapping[str, str]], name: str, default: str) -> str:
    source = os.environ if env is None else env
    value = (source.get(name) or "").strip()
    return value or default


def currency(env: Optional[Mapping[str, str]] = None) -> str:
    return _setting(env, "CURRENCY", DEFAULT_CURRENCY)


def storage_dir(env: Optional[Mapping[str, str]] = None) -> str:
    return _setting(env, "SHINYKIT_STORAGE_DIR", DEFAULT_STORAGE_DIR)


def not_kept(env: Optional[Mapping[str, str]] = None) -> str:
    """A warning for the status line when notes live only as long as the container."""
    source = os.environ if env is None else env
    if (source.get("SHINYKIT_STORAGE_DIR") or "").strip():
        return ""
    return " Not kept when this container stops: the app has no storage (SHINYKIT_STORAGE_DIR is not set)."


def signing_key(env: Optional[Mapping[str, str]] = None) -> str:
    source = os.environ if env is None else env
    return source.get("NOTES_SIGNING_KEY") or ""


def signature(user: str, note: str, key: str) -> str:
    return hmac.new(key.encode("utf-8"), f"{user}\n{note}".encode("utf-8"), sha256).hexdigest()


def note_path(user: str, directory: str) -> str:
    return os.path.join(directory, "notes", user.encode("utf-8").hex() + ".json")


def unavailable(user: str, env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """Why notes cannot be saved for this user right now, or None when they can."""
    if not user:
        return "Notes are off: nobody is signed in."
    if not signing_key(env):
        return "Notes are off: the NOTES_SIGNING_KEY secret is not set."
    if not os.path.isdir(storage_dir(env)):
        return f"Notes are off: no storage at {storage_dir(env)}"
    return None


def save_note(user: str, note: str, env: Optional[Mapping[str, str]] = None) -> dict:
    path = note_path(user, storage_dir(env))
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    record = {
        "user": user,
        "note": note,
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "signature": signature(user, note, signing_key(env)),
    }
    # Write then rename: a crash mid-write never leaves half a note.
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False)
    os.replace(tmp, path)
    return record


def load_note(user: str, env: Optional[Mapping[str, str]] = None) -> Tuple[str, str]:
    """(note, status): the user's saved note when its signature checks out, else ""."""
    path = note_path(user, storage_dir(env))
    if not os.path.exists(path):
        return "", "No saved note yet."
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        record = {}
    note = record.get("note") if isinstance(record, dict) else None
    ok = (
        isinstance(note, str)
        and record.get("user") == user
        and hmac.compare_digest(str(record.get("signature", "")), signature(user, note, signing_key(env)))
    )
    if not ok:
        return "", ("A saved note was found but its signature does not match (changed outside the app, "
                    "or the signing key changed): not loaded.")
    return note, f"Note saved {record.get('saved_at', '')} loaded (signature verified).{not_kept(env)}"
