"""Tests for notes.py (python3 -m unittest test_notes); needs no dash, which
Debian does not package: the Dash app's own logic is tested here instead of in
a browser. Kept out of the image by .dockerignore (test_*.py)."""

import hmac
import json
import os
import stat
import tempfile
import unittest
from hashlib import sha256

from notes import currency, load_note, not_kept, note_path, save_note, signature, storage_dir, unavailable

KEY = "sk-notes-test-key"


class Settings(unittest.TestCase):
    def test_currency_from_the_environment_with_a_default(self):
        self.assertEqual(currency({"CURRENCY": " EUR "}), "EUR")
        self.assertEqual(currency({"CURRENCY": ""}), "USD")
        self.assertEqual(currency({}), "USD")

    def test_storage_dir_from_the_environment_with_a_default(self):
        self.assertEqual(storage_dir({"SHINYKIT_STORAGE_DIR": "/mnt/notes"}), "/mnt/notes")
        self.assertEqual(storage_dir({}), "/home/app/data")


class Notes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.env = {"NOTES_SIGNING_KEY": KEY, "SHINYKIT_STORAGE_DIR": self.tmp.name}

    def tearDown(self):
        self.tmp.cleanup()

    def test_saved_note_comes_back_in_a_new_session(self):
        save_note("ana@example.org", "Call Globex — café", self.env)
        note, status = load_note("ana@example.org", self.env)
        self.assertEqual(note, "Call Globex — café")
        self.assertRegex(status, r"^Note saved .* loaded \(signature verified\)\.$")

    def test_signature_is_hmac_sha256_of_user_and_note_under_the_secret(self):
        save_note("ana@example.org", "hello", self.env)
        with open(note_path("ana@example.org", self.tmp.name), encoding="utf-8") as f:
            raw = f.read()
        record = json.loads(raw)
        expected = hmac.new(KEY.encode(), b"ana@example.org\nhello", sha256).hexdigest()
        self.assertEqual(record["signature"], expected)
        self.assertEqual(signature("ana@example.org", "hello", KEY), expected)
        self.assertNotIn(KEY, raw)

    def test_one_private_file_per_user_named_by_the_hex_of_the_name(self):
        save_note("ana@example.org", "a", self.env)
        save_note("bo@example.org", "b", self.env)
        notes = os.path.join(self.tmp.name, "notes")
        self.assertEqual(sorted(os.listdir(notes)), sorted([b"ana@example.org".hex() + ".json", b"bo@example.org".hex() + ".json"]))
        self.assertEqual(stat.S_IMODE(os.stat(notes).st_mode), 0o700)
        self.assertEqual(load_note("bo@example.org", self.env)[0], "b")
        self.assertEqual(load_note("cy@example.org", self.env), ("", "No saved note yet."))

    def test_a_different_key_refuses_the_note(self):
        save_note("ana@example.org", "hello", self.env)
        note, status = load_note("ana@example.org", {**self.env, "NOTES_SIGNING_KEY": "rotated"})
        self.assertEqual(note, "")
        self.assertTrue(status.startswith("A saved note was found but its signature does not match"))

    def test_a_note_copied_into_another_users_file_is_refused(self):
        save_note("ana@example.org", "ana's", self.env)
        os.makedirs(os.path.dirname(note_path("bo@example.org", self.tmp.name)), exist_ok=True)
        os.replace(note_path("ana@example.org", self.tmp.name), note_path("bo@example.org", self.tmp.name))
        self.assertEqual(load_note("bo@example.org", self.env)[0], "")

    def test_an_edited_or_broken_file_is_refused(self):
        save_note("ana@example.org", "hello", self.env)
        path = note_path("ana@example.org", self.tmp.name)
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        record["note"] = "edited"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(record, f)
        self.assertEqual(load_note("ana@example.org", self.env)[0], "")
        with open(path, "w", encoding="utf-8") as f:
            f.write("{not json")
        self.assertEqual(load_note("ana@example.org", self.env)[0], "")

    def test_says_when_notes_outlive_the_container_only_without_storage(self):
        self.assertEqual(not_kept(self.env), "")
        self.assertEqual(not_kept({}), " Not kept when this container stops: the app has no storage (SHINYKIT_STORAGE_DIR is not set).")

    def test_notes_are_off_without_a_user_a_secret_or_storage(self):
        self.assertIsNone(unavailable("ana@example.org", self.env))
        self.assertEqual(unavailable("", self.env), "Notes are off: nobody is signed in.")
        self.assertEqual(unavailable("ana@example.org", {"SHINYKIT_STORAGE_DIR": self.tmp.name}),
                         "Notes are off: the NOTES_SIGNING_KEY secret is not set.")
        missing = os.path.join(self.tmp.name, "absent")
        self.assertEqual(unavailable("ana@example.org", {"NOTES_SIGNING_KEY": KEY, "SHINYKIT_STORAGE_DIR": missing}),
                         f"Notes are off: no storage at {missing}")


if __name__ == "__main__":
    unittest.main()
