#!/usr/bin/env python3
"""Deadline rush: many providers' sessions submit and revise bids on an open referral at once.

Python 3 standard library only. Against a served demo:

    scripts/rush.py --base http://127.0.0.1:8080 --clients 200 --requests 1000 --acked /tmp/acked.txt

1. Finds the invited provider accounts (--accounts, or the demo's: provider@, bids@, provider2@ and
   contactN@demo.provider, probed until the first unknown one) and their open invitations (those whose
   page shows the bid form).
2. Signs in one session per client (each client its own cookie and CSRF token), cycling over the
   invitations, and reads the bid form once per client.
3. All clients start together and fire --requests bid submissions/revisions in total, each with the form's
   current values and an outcomes statement carrying a unique marker "rush-<uuid>".

A request is acknowledged when the server answers 303 to the invitation page (the form's success).
Prints a summary; --acked FILE gets the acknowledged markers, --log FILE one JSON line per request.
Exit status: 0 on success; 1 if any 5xx, connection error, timeout or other refusal (4xx, 303 elsewhere)
unless --allow-errors; 2 if setting up failed.
"""
import argparse
import html
import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from html.parser import HTMLParser

PASSWORD = "demo-password-2026"
DEMO_ACCOUNTS = ["provider@demo.provider", "bids@demo.provider", "provider2@demo.provider"]
STATEMENT = ("A key worker agrees a daily routine with him in his first week; speech and language therapy "
             "is on site three days a week; we report attendance to the council every week.")
CSRF_RE = re.compile(r'name="_csrf" value="([^"]*)"')
INVITATION_RE = re.compile(r'href="/provider/invitations/([0-9A-Fa-f-]{36})"')


class SetupError(Exception):
    pass


class Client:
    """One browser: its own keep-alive connection and cookies (the session's, the anonymous CSRF token's)."""

    def __init__(self, base, timeout):
        u = urllib.parse.urlsplit(base)
        if u.scheme not in ("http", "https"):
            raise SetupError(f"--base must be http(s): {base}")
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.https else 80)
        self.prefix = u.path.rstrip("/")
        self.timeout = timeout
        self.cookies = {}
        self.conn = None

    @property
    def cookie(self):
        """The Cookie header this browser sends, or None."""
        return "; ".join(f"{k}={v}" for k, v in sorted(self.cookies.items())) or None

    def _connect(self):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        self.conn = cls(self.host, self.port, timeout=self.timeout)
        self.conn.connect()

    def close(self):
        if self.conn:
            try:
                self.conn.close()
            except Exception:
                pass
            self.conn = None

    def request(self, method, path, form=None, retry_stale=True):
        """Returns (status, location, body). Raises OSError/http.client errors on connection trouble.
        retry_stale: retry once on a fresh connection when a kept-alive one turns out closed (only for
        requests safe to repeat)."""
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "dps-rush/1"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                self._connect()
            try:
                self.conn.request(method, self.prefix + path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh or not retry_stale or attempt:
                    raise
            except Exception:
                self.close()
                raise
        for value in resp.msg.get_all("Set-Cookie") or []:
            name, _, rest = value.split(";", 1)[0].strip().partition("=")
            if rest and "max-age=0" not in value.lower():
                self.cookies[name] = rest
            else:
                self.cookies.pop(name, None)
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        return resp.status, resp.getheader("Location", ""), data.decode("utf-8", "replace")


class BidFormParser(HTMLParser):
    """Collects the fields of the form whose action ends with /bid, as a browser would submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.action = None
        self.fields = []        # [name, value] in document order (text, hidden, textarea)
        self.checkboxes = []    # (name, value, checked)
        self.textarea = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("action", "").endswith("/bid") and self.action is None:
            self.in_form, self.action = True, a["action"]
        elif not self.in_form:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self.checkboxes.append((a["name"], a.get("value", "on"), "checked" in a))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append([a["name"], a.get("value", "")])
        elif tag == "textarea" and a.get("name"):
            self.textarea, self.text = a["name"], []

    def handle_data(self, data):
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            value = "".join(self.text)
            if value.startswith("\r\n"):
                value = value[2:]
            elif value.startswith("\n"):
                value = value[1:]
            self.fields.append([self.textarea, value])
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def parse_bid_form(page):
    p = BidFormParser()
    p.feed(page)
    p.close()
    return p


def sign_in(base, timeout, email, password, deadline):
    """A new signed-in Client, or None when the account is unknown or the password wrong (401)."""
    while True:
        c = Client(base, timeout)
        status, _, page = c.request("GET", "/sign-in")
        m = CSRF_RE.search(page)
        if status != 200 or not m:
            raise SetupError(f"GET /sign-in answered {status} without a CSRF token")
        status, location, page = c.request("POST", "/sign-in", {"email": email, "password": password,
                                                                "_csrf": html.unescape(m.group(1)), "next": ""})
        if status == 303 and "dps-session" in c.cookies and "/sign-in" not in location:
            return c
        c.close()
        if status == 401:
            return None
        if status == 429 and time.time() < deadline:
            time.sleep(1.0)   # the sign-in guard bounds concurrent bcrypt work; wait and try again
            continue
        raise SetupError(f"sign-in of {email} answered {status}: {page[:300]!r}")


def open_invitations(client, only):
    """Invitation ids of this account whose page shows the bid form (open, not declined)."""
    status, _, page = client.request("GET", "/provider/invitations")
    if status != 200:
        raise SetupError(f"GET /provider/invitations answered {status}")
    ids = list(dict.fromkeys(INVITATION_RE.findall(page)))
    if only:
        ids = [i for i in ids if i.lower() in only]
    out = []
    for inv in ids:
        status, _, page = client.request("GET", f"/provider/invitations/{inv}")
        if status == 200 and parse_bid_form(page).action:
            out.append(inv)
    return out


def run_pool(items, workers, fn):
    """Runs fn(item) for every item on `workers` threads; returns results in order; re-raises the first error."""
    results, errors, lock, it = [None] * len(items), [], threading.Lock(), iter(range(len(items)))

    def work():
        while True:
            with lock:
                if errors:
                    return
                i = next(it, None)
            if i is None:
                return
            try:
                results[i] = fn(items[i])
            except Exception as e:  # noqa: BLE001 - reported to the caller
                with lock:
                    errors.append(e)
                return

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(items))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="http://127.0.0.1:8080", help="the served product (default %(default)s)")
    ap.add_argument("--clients", type=int, default=200, help="concurrent sessions (default %(default)s)")
    ap.add_argument("--requests", type=int, default=1000, help="bid submissions/revisions in total (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per HTTP request (default %(default)s)")
    ap.add_argument("--accounts", help="comma-separated provider sign-ins to use (default: probe the demo's)")
    ap.add_argument("--password", default=PASSWORD, help="password of every account (default: the demo's)")
    ap.add_argument("--demo-contacts", type=int, default=56,
                    help="probe contact2..contactN@demo.provider, stopping at the first unknown (default %(default)s, "
                         "the demo's last; each unknown one counts as a failed sign-in from this address)")
    ap.add_argument("--invitation", action="append", default=[], help="only this invitation id (repeatable)")
    ap.add_argument("--sign-in-workers", type=int, default=8,
                    help="concurrent sign-ins while setting up (bcrypt-bound; default %(default)s)")
    ap.add_argument("--all-checkboxes", choices=["yes", "no"], default="yes",
                    help="tick every need/must-have/desirable (yes, default) or keep the form's current ticks (no)")
    ap.add_argument("--carer-district", default="BN3", help="used for fostering when the form has none (default %(default)s)")
    ap.add_argument("--spread", type=float, default=0.0,
                    help="seconds over which to spread the requests evenly (open loop: request i is due at i*spread/requests; "
                         "its latency counts from when it was due, so a queue of late requests is not hidden). "
                         "Default 0: every client fires as fast as it can (closed loop)")
    ap.add_argument("--acked", help="write the acknowledged markers here, one a line")
    ap.add_argument("--log", help="write one JSON line per request here (marker, invitation, status, kind, t0, t1)")
    ap.add_argument("--ready-file", help="touched when the clients start firing (for scripts/crash-test)")
    ap.add_argument("--allow-errors", action="store_true", help="only report errors; exit 0 anyway")
    ap.add_argument("--keep-going", action="store_true",
                    help="after 'connection refused' keep issuing requests (default: stop issuing new ones)")
    args = ap.parse_args()
    if args.clients < 1 or args.requests < 0:
        ap.error("--clients must be >= 1 and --requests >= 0")

    setup_started = time.time()
    setup_deadline = setup_started + max(120.0, args.clients * 2.0)
    only = {i.lower() for i in args.invitation}

    # 1. Accounts and their open invitations: one discovery session per candidate account.
    try:
        targets = []       # (email, invitation id)
        spare = {}         # email -> [signed-in Client] kept for reuse as clients
        def discover(email):
            c = sign_in(args.base, args.timeout, email, args.password, setup_deadline)
            if c is None:
                return email, None, []
            return email, c, open_invitations(c, only)

        if args.accounts:
            candidates = [a.strip() for a in args.accounts.split(",") if a.strip()]
            found = run_pool(candidates, args.sign_in_workers, discover)
            unknown = [e for e, c, _ in found if c is None]
            if unknown:
                raise SetupError(f"cannot sign in as {', '.join(unknown)} (unknown account or wrong password)")
        else:
            found = run_pool(DEMO_ACCOUNTS, args.sign_in_workers, discover)
            n = 2
            while n <= args.demo_contacts:
                batch = [f"contact{k}@demo.provider" for k in range(n, min(args.demo_contacts, n + 3) + 1)]
                got = run_pool(batch, args.sign_in_workers, discover)
                found += got
                n += len(batch)
                if any(c is None for _, c, _ in got):
                    break   # the demo numbers its contacts without gaps: the first unknown one ends the list
        for email, c, invs in found:
            if c is None:
                continue
            if invs:
                targets += [(email, i) for i in invs]
                spare.setdefault(email, []).append(c)
            else:
                c.close()
        if not targets:
            raise SetupError("no signed-in account has an open invitation (is a referral published and before its deadline?)")
        accounts = sorted({e for e, _ in targets})
        print(f"rush: {len(accounts)} invited accounts, {len(targets)} (account, open invitation) pairs, "
              f"{len({i for _, i in targets})} invitations", flush=True)

        # 2. One session per client, cycling over the pairs; each reads its bid form once.
        plan = [targets[k % len(targets)] for k in range(args.clients)]
        pool_lock = threading.Lock()

        def prepare(pair):
            email, inv = pair
            with pool_lock:
                c = spare[email].pop() if spare.get(email) else None
            if c is None:
                c = sign_in(args.base, args.timeout, email, args.password, setup_deadline)
                if c is None:
                    raise SetupError(f"sign-in of {email} failed")
            status, _, page = c.request("GET", f"/provider/invitations/{inv}")
            form = parse_bid_form(page)
            if status != 200 or not form.action:
                raise SetupError(f"{email}: invitation {inv} answered {status} without a bid form")
            fields = form.fields
            names = [n for n, _ in fields]
            if "_csrf" not in names or "outcomesStatement" not in names:
                raise SetupError(f"{email}: the bid form of {inv} has no _csrf or outcomesStatement field")
            for f in fields:
                if f[0] == "carerDistrict" and not f[1].strip():
                    f[1] = args.carer_district
            ticks = [(n, v) for n, v, checked in form.checkboxes if args.all_checkboxes == "yes" or checked]
            return {"client": c, "email": email, "invitation": inv, "action": form.action,
                    "fields": fields, "ticks": ticks}
        clients = run_pool(plan, args.sign_in_workers, prepare)
        for email, cs in spare.items():
            for c in cs:
                c.close()
    except (SetupError, OSError, http.client.HTTPException) as e:
        print(f"rush: setup failed: {e}", file=sys.stderr)
        return 2
    setup_s = time.time() - setup_started
    print(f"rush: {len(clients)} sessions signed in and forms read in {setup_s:.1f} s; firing {args.requests} requests", flush=True)

    # 3. All together.
    records = [None] * args.requests
    counter = {"next": 0}
    lock = threading.Lock()
    stop = threading.Event()
    barrier = threading.Barrier(len(clients) + 1)

    start = {"at": 0.0}

    def fire(state):
        c = state["client"]
        barrier.wait()
        while not stop.is_set():
            with lock:
                i = counter["next"]
                if i >= args.requests:
                    return
                counter["next"] += 1
            due = start["at"] + (i * args.spread / args.requests if args.spread > 0 else 0.0)
            if args.spread > 0 and due > time.perf_counter():
                time.sleep(due - time.perf_counter())
            marker = f"rush-{uuid.uuid4()}"
            form = []
            for name, value in state["fields"]:
                form.append((name, f"{marker} {STATEMENT}" if name == "outcomesStatement" else value))
            form += state["ticks"]
            rec = {"i": i, "marker": marker, "account": state["email"], "invitation": state["invitation"],
                   "status": 0, "kind": "", "location": "", "t0": time.time()}
            t = time.perf_counter()
            try:
                status, location, _ = c.request("POST", state["action"], form, retry_stale=False)
                rec["status"], rec["location"] = status, location
                if status == 303 and location.rstrip("/").endswith(f"/provider/invitations/{state['invitation']}"):
                    rec["kind"] = "ack"
                elif status >= 500:
                    rec["kind"] = "5xx"
                else:
                    rec["kind"] = "refused"
            except ConnectionRefusedError:
                rec["kind"] = "conn-refused"   # never reached the server
                if not args.keep_going:
                    stop.set()
            except (socket.timeout, TimeoutError):
                rec["kind"] = "timeout"        # may have been processed
            except (OSError, http.client.HTTPException) as e:
                rec["kind"] = "conn-lost"      # sent, answer lost: may have been processed
                rec["error"] = type(e).__name__
            rec["t1"] = time.time()
            # Open loop: from when the request was due, so time spent waiting for a free client counts too.
            rec["ms"] = (time.perf_counter() - (due if args.spread > 0 else t)) * 1000.0
            records[i] = rec

    threads = [threading.Thread(target=fire, args=(s,), daemon=True) for s in clients]
    for t in threads:
        t.start()
    start["at"] = time.perf_counter()
    barrier.wait()
    fired_at = time.time()
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write(f"{fired_at}\n")
    for t in threads:
        t.join()
    elapsed = time.time() - fired_at
    for s in clients:
        s["client"].close()

    done = [r for r in records if r is not None]
    acked = [r for r in done if r["kind"] == "ack"]
    by_status, by_kind = {}, {}
    for r in done:
        if r["kind"] != "ack":
            key = str(r["status"]) if r["status"] else r["kind"]
            by_status[key] = by_status.get(key, 0) + 1
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
    answered = sorted(r["ms"] for r in done if r["status"])
    ack_ms = sorted(r["ms"] for r in acked)
    per_inv = {}
    for r in acked:
        per_inv[r["invitation"]] = per_inv.get(r["invitation"], 0) + 1

    def lat(values):
        return (f"p50 {percentile(values, 50):.0f} / p95 {percentile(values, 95):.0f} / "
                f"p99 {percentile(values, 99):.0f} / max {values[-1] if values else float('nan'):.0f} ms")

    print("rush summary")
    print(f"  clients {len(clients)} over {len({s['email'] for s in clients})} accounts and "
          f"{len({s['invitation'] for s in clients})} invitations, setup {setup_s:.1f} s")
    print(f"  requests {len(done)} issued of {args.requests}" + (f" ({args.requests - len(done)} not issued: server unreachable)" if len(done) < args.requests else ""))
    print(f"  acknowledged (303 to the invitation) {len(acked)}")
    print(f"  not acknowledged {len(done) - len(acked)}" + (": " + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())) if by_status else ""))
    print(f"  latency (answered) {lat(answered)}")
    print(f"  latency (acknowledged) {lat(ack_ms)}")
    print(f"  elapsed {elapsed:.2f} s, {len(done) / elapsed if elapsed > 0 else 0:.1f} requests/s")

    if args.acked:
        with open(args.acked, "w") as f:
            for r in acked:
                f.write(r["marker"] + "\n")
    if args.log:
        with open(args.log, "w") as f:
            for r in done:
                f.write(json.dumps(r) + "\n")
    failed = len(done) - len(acked) > 0
    if failed and not args.allow_errors:
        print("rush: FAILED (errors above; --allow-errors to only report)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
