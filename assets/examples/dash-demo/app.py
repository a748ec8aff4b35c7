"""Dash demo: a small but real app. Choose a wave shape, its frequency, some
noise and a smoothing window; the chart redraws the raw and smoothed signal.
It also shows what real apps need from their platform: who the user is (their
accounts only, accounts.py), a setting, a secret and storage that outlives the
session (a note each user saves, notes.py).

Run locally with `python app.py` (http://127.0.0.1:8050/); in the container
gunicorn serves `app:server`, under SHINYPROXY_PUBLIC_PATH (see prefix.py).
"""

from __future__ import annotations

import math
import random

from dash import Dash, Input, Output, State, dcc, html
from flask import request
import plotly.graph_objects as go

from accounts import admin_groups, current_user, is_admin, visible_accounts
from notes import currency, load_note, not_kept, save_note, unavailable
from prefix import dash_prefix_kwargs

WAVES = {
    "sine": lambda t: math.sin(t),
    "square": lambda t: 1.0 if math.sin(t) >= 0 else -1.0,
    "sawtooth": lambda t: 2.0 * ((t / (2 * math.pi)) % 1.0) - 1.0,
}


def signal(wave: str, frequency: float, noise: float, seed: int, points: int = 400):
    """Samples one second of the wave with Gaussian noise (reproducible by seed)."""
    rng = random.Random(seed)
    shape = WAVES.get(wave, WAVES["sine"])
    xs = [i / points for i in range(points)]
    ys = [shape(2 * math.pi * frequency * x) + rng.gauss(0.0, noise) for x in xs]
    return xs, ys


def moving_average(values, window: int):
    """Centred moving average; the window shrinks at the edges."""
    half = max(0, int(window) // 2)
    out = []
    for i in range(len(values)):
        lo, hi = max(0, i - half), min(len(values), i + half + 1)
        out.append(sum(values[lo:hi]) / (hi - lo))
    return out


app = Dash(__name__, title="Dash demo", **dash_prefix_kwargs())
# gunicorn serves this WSGI callable.
server = app.server

app.layout = html.Div(
    style={"maxWidth": "960px", "margin": "0 auto", "fontFamily": "sans-serif"},
    children=[
        html.H2("Dash demo: noisy signals"),
        html.Div(
            style={"display": "grid", "gridTemplateColumns": "1fr 1fr", "gap": "1rem"},
            children=[
                html.Label(["Wave", dcc.Dropdown(id="wave", options=list(WAVES), value="sine", clearable=False)]),
                html.Label(["Frequency (Hz)", dcc.Slider(id="frequency", min=1, max=10, step=1, value=3)]),
                html.Label(["Noise", dcc.Slider(id="noise", min=0, max=1, step=0.05, value=0.2)]),
                html.Label(["Smoothing window", dcc.Slider(id="window", min=1, max=51, step=2, value=9)]),
            ],
        ),
        dcc.Graph(id="chart"),
        # Row-level authorisation: filled per request from who ShinyProxy says is signed in.
        dcc.Location(id="url"),
        html.H3("Your accounts"),
        html.Div(id="accounts"),
        html.H3("Your note"),
        dcc.Textarea(id="note", placeholder="Kept for you between sessions", style={"width": "100%", "height": "5rem"}),
        html.Button("Save note", id="save-note", n_clicks=0),
        html.P(id="note-status"),
    ],
)


@app.callback(
    Output("chart", "figure"),
    Input("wave", "value"),
    Input("frequency", "value"),
    Input("noise", "value"),
    Input("window", "value"),
)
def update_chart(wave, frequency, noise, window):
    xs, ys = signal(wave, float(frequency), float(noise), seed=42)
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name="samples", marker={"size": 4, "opacity": 0.5}))
    figure.add_trace(go.Scatter(x=xs, y=moving_average(ys, window), mode="lines", name=f"moving average ({window})"))
    figure.update_layout(margin={"l": 40, "r": 10, "t": 30, "b": 40}, xaxis_title="time (s)", yaxis_title="value")
    return figure


@app.callback(Output("accounts", "children"), Input("url", "pathname"))
def show_accounts(_pathname):
    """Admins see every account, everyone else only their own (see accounts.py)."""
    user, groups = current_user(headers=request.headers)
    admins = admin_groups()
    rows = visible_accounts(user, groups, admins=admins)
    who = f"Signed in as {user or 'an unknown user'}" + (" (admin: all accounts)" if is_admin(groups, admins) else "")
    if not rows:
        return [html.P(who), html.P("No accounts to show.")]
    header = html.Tr([html.Th(h) for h in ("Account", "Region", "Owner", f"Revenue ({currency()})")])
    body = [
        html.Tr([html.Td(r["account"]), html.Td(r["region"]), html.Td(r["owner"]), html.Td(f"{r['revenue']:,}")])
        for r in rows
    ]
    return [html.P(who), html.Table([html.Thead(header), html.Tbody(body)])]


@app.callback(Output("note", "value"), Output("note-status", "children"), Input("url", "pathname"))
def show_note(_pathname):
    """The user's saved note, when notes are on and its signature checks out (see notes.py)."""
    user, _groups = current_user(headers=request.headers)
    reason = unavailable(user)
    return ("", reason) if reason else load_note(user)


@app.callback(
    Output("note-status", "children", allow_duplicate=True),
    Input("save-note", "n_clicks"),
    State("note", "value"),
    prevent_initial_call=True,
)
def store_note(_clicks, note):
    user, _groups = current_user(headers=request.headers)
    reason = unavailable(user)
    if reason:
        return reason
    record = save_note(user, note or "")
    return f"Note saved {record['saved_at']} (signed).{not_kept()}"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=True)
