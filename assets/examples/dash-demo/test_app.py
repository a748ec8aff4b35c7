"""Tests for app.py's wiring (python3 -m unittest test_app).

Dash, Flask and Plotly cannot be installed where the kit's tests run (Debian
packages none of them and PyPI is not reachable), so these tests run app.py
against small stand-ins that record what app.py asks of them: how it builds
Dash, which callbacks it registers on which components, and what those
callbacks return for a given user. The callbacks themselves are app.py's real
functions; only the framework around them is a stand-in. Kept out of the image
by .dockerignore (test_*.py).
"""

import importlib
import os
import sys
import tempfile
import types
import unittest


class Component:
    def __init__(self, kind, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, kwargs

    def walk(self):
        yield self
        children = list(self.args) + [self.kwargs.get("children")]
        for child in children:
            for c in child if isinstance(child, list) else [child]:
                if isinstance(c, Component):
                    yield from c.walk()

    def text(self):
        parts = []
        for c in self.walk():
            parts += [a for a in c.args if isinstance(a, str)]
            if isinstance(c.kwargs.get("children"), str):
                parts.append(c.kwargs["children"])
        return " ".join(parts)


def component_module(name):
    mod = types.ModuleType(name)
    mod.__getattr__ = lambda kind: (lambda *a, **kw: Component(kind, *a, **kw))
    return mod


class Dependency:
    def __init__(self, component_id, prop, allow_duplicate=False):
        self.component_id, self.prop = component_id, prop


class FakeDash:
    instances = []

    def __init__(self, name, **kwargs):
        self.name, self.kwargs = name, kwargs
        self.server = object()
        self.callbacks = []
        FakeDash.instances.append(self)

    def callback(self, *deps, **kwargs):
        def register(fn):
            self.callbacks.append((deps, kwargs, fn))
            return fn
        return register


class Figure:
    def __init__(self):
        self.traces, self.layout = [], {}

    def add_trace(self, trace):
        self.traces.append(trace)

    def update_layout(self, **kwargs):
        self.layout.update(kwargs)


def install_stand_ins():
    dash = types.ModuleType("dash")
    dash.Dash, dash.Input, dash.Output, dash.State = FakeDash, Dependency, Dependency, Dependency
    dash.dcc, dash.html = component_module("dash.dcc"), component_module("dash.html")
    flask = types.ModuleType("flask")
    flask.request = types.SimpleNamespace(headers={})
    plotly = types.ModuleType("plotly")
    go = types.ModuleType("plotly.graph_objects")
    go.Figure, go.Scatter = Figure, (lambda **kw: kw)
    plotly.graph_objects = go
    sys.modules.update({"dash": dash, "flask": flask, "plotly": plotly, "plotly.graph_objects": go})
    return flask


IDENTITY = ("SHINYPROXY_USERNAME", "SHINYPROXY_USERGROUPS", "ADMIN_GROUPS")


class AppWiring(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.saved_env = dict(os.environ)
        cls.tmp = tempfile.TemporaryDirectory()
        for name in IDENTITY:
            os.environ.pop(name, None)
        os.environ.update({
            "SHINYPROXY_PUBLIC_PATH": "/app_proxy/3f2c9a",
            "CURRENCY": "EUR",
            "NOTES_SIGNING_KEY": "sk-notes-test-key",
            "SHINYKIT_STORAGE_DIR": cls.tmp.name,
        })
        cls.flask = install_stand_ins()
        sys.modules.pop("app", None)
        cls.app = importlib.import_module("app")
        cls.dash = FakeDash.instances[-1]

    @classmethod
    def tearDownClass(cls):
        os.environ.clear()
        os.environ.update(cls.saved_env)
        cls.tmp.cleanup()
        for name in ("dash", "flask", "plotly", "plotly.graph_objects", "app"):
            sys.modules.pop(name, None)

    def as_user(self, user, groups="DASH_USERS"):
        # What ShinyProxy adds to every request (openanalytics/containerproxy: groups upper-cased, comma-joined).
        self.flask.request.headers = {"X-SP-UserId": user, "X-SP-UserGroups": groups} if user else {}

    def callback(self, name):
        return next(c for c in self.dash.callbacks if c[2].__name__ == name)

    def test_builds_dash_under_the_public_path_and_exposes_server_for_gunicorn(self):
        self.assertEqual(self.dash.kwargs["requests_pathname_prefix"], "/app_proxy/3f2c9a/")
        self.assertEqual(self.dash.kwargs["routes_pathname_prefix"], "/app_proxy/3f2c9a/")
        self.assertIs(self.app.server, self.dash.server)

    def test_every_callback_reads_and_writes_components_that_exist_in_the_layout(self):
        ids = {c.kwargs["id"] for c in self.app.app.layout.walk() if "id" in c.kwargs}
        used = {d.component_id for deps, _kw, _fn in self.dash.callbacks for d in deps}
        self.assertEqual(used - ids, set())
        self.assertEqual({fn.__name__ for _d, _k, fn in self.dash.callbacks},
                         {"update_chart", "show_accounts", "show_note", "store_note"})

    def test_chart_redraws_from_the_inputs(self):
        update_chart = self.callback("update_chart")[2]
        a = update_chart("sine", 3, 0.2, 9)
        b = update_chart("square", 3, 0.2, 9)
        self.assertEqual([t["name"] for t in a.traces], ["samples", "moving average (9)"])
        self.assertNotEqual(a.traces[0]["y"], b.traces[0]["y"])

    def test_accounts_show_the_users_own_rows_in_the_currency_setting(self):
        show_accounts = self.callback("show_accounts")[2]
        self.as_user("bo@example.org")
        who, table = show_accounts("/")
        self.assertEqual(who.text(), "Signed in as bo@example.org")
        text = table.text()
        self.assertIn("Revenue (EUR)", text)
        self.assertIn("Initech", text)
        self.assertIn("Umbrella", text)
        self.assertNotIn("Acme Corp", text)

    def test_a_saved_note_comes_back_for_its_user_only(self):
        show_note, store_note = self.callback("show_note")[2], self.callback("store_note")[2]
        self.as_user("ana@example.org")
        self.assertEqual(show_note("/"), ("", "No saved note yet."))
        self.assertRegex(store_note(1, "Call Globex"), r"^Note saved .* \(signed\)\.$")
        note, status = show_note("/")
        self.assertEqual(note, "Call Globex")
        self.assertTrue(status.endswith("loaded (signature verified)."))
        self.as_user("bo@example.org")
        self.assertEqual(show_note("/"), ("", "No saved note yet."))

    def test_no_user_no_notes(self):
        show_note, store_note = self.callback("show_note")[2], self.callback("store_note")[2]
        self.as_user("")
        self.assertEqual(show_note("/"), ("", "Notes are off: nobody is signed in."))
        self.assertEqual(store_note(1, "x"), "Notes are off: nobody is signed in.")
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "notes", ".json")))


if __name__ == "__main__":
    unittest.main()
