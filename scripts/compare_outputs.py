#!/usr/bin/env python3
"""Checks that a refactoring changed no public output: runs two `herald` binaries, one after the
other, on copies of the same demo database and compares what users and their tools receive: the
status page and its other screens, the /api/v2 documents, the feeds, and one incident's webhook
body and email (through a real SMTP sink and webhook receiver on 127.0.0.1).

    scripts/compare_outputs.py OLD_BINARY NEW_BINARY [--keep DIR]

The old binary runs twice: what differs between its own two runs (the clock moved on) is the
noise floor, and the script names it. Times, ids, signatures and tokens are normalised before
comparing; everything else must match byte for byte. Exit 0 when the outputs are identical,
1 with a unified diff per differing output otherwise."""
import argparse
import difflib
import email
import email.policy
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "functional"))
from harness import Herald  # noqa: E402
from test_notifications import FIXTURES, Receiver, records  # noqa: E402

PAGES = ["/", "/history", "/subscribe", "/api/v2/summary.json", "/api/v2/status.json",
         "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
         "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
         "/api/v2/scheduled-maintenances/active.json", "/history.atom", "/history.rss",
         "/no-such-page", "/api/v2/no-such.json"]

NOISE = [
    (re.compile(rb"whsec_[A-Za-z0-9+/=]+"), b"whsec_<secret>"),
    (re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"), b"<time>"),
    (re.compile(rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d? \w{3} \d{4} \d\d:\d\d:\d\d (GMT|[+-]\d{4})( \(\w+\))?"),
     b"<date>"),
    (re.compile(rb"msg_[A-Za-z0-9]+"), b"<msg-id>"),
    (re.compile(rb"v1,[A-Za-z0-9+/=]+"), b"<signature>"),
    (re.compile(rb"[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"), b"<signed-token>"),
    (re.compile(rb"(token|t|sig)=[A-Za-z0-9_\-.%]{16,}"), rb"\1=<token>"),
    (re.compile(rb"/[A-Za-z0-9_\-]{32,}"), b"/<token>"),
    (re.compile(rb"<[^<>@\s]+@[^<>@\s]+>"), b"<message-id>"),
    (re.compile(rb"boundary=\"?[^\s\";]+\"?"), b"boundary=<b>"),
    (re.compile(rb"--=_[A-Za-z0-9._=]+"), b"--<b>"),
    (re.compile(rb"127\.0\.0\.1:\d+"), b"127.0.0.1:<port>"),
    (re.compile(rb"\b\d{10,13}\b"), b"<epoch>"),
]


# Record ids (12 base-36 characters): numbered by first appearance, so that an output that names
# a new record by its id still compares equal, while a different record in its place does not.
RECORD_ID = re.compile(rb"(?<![A-Za-z0-9])(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{12}(?![A-Za-z0-9])")


def normalise(body):
    for pattern, repl in NOISE:
        body = pattern.sub(repl, body)
    seen = {}
    return RECORD_ID.sub(lambda m: b"<id%d>" % seen.setdefault(m.group(0), len(seen)), body)


def readable_mail(raw):
    """Headers and decoded parts: quoted-printable line breaks would hide tokens from NOISE."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = [f"{k}: {v}" for k, v in msg.items()]
    for part in msg.walk():
        if not part.is_multipart():
            out.append(f"--- {part.get_content_type()}")
            out.append(part.get_content())
    return "\n".join(out).encode()


def capture(binary, seed_db, workdir):
    """Runs `binary` on a copy of seed_db; returns {name: bytes}."""
    os.makedirs(workdir)
    db_file = os.path.join(workdir, "herald.db")
    shutil.copy(seed_db, db_file)
    mail_dir = os.path.join(workdir, "mail")
    os.makedirs(mail_dir)
    hook_log = os.path.join(workdir, "hooks.jsonl")
    smtp = Receiver([os.path.join(FIXTURES, "smtp_sink.py"), "--dir", mail_dir], port_prefix="PORT")
    hooks = Receiver([os.path.join(FIXTURES, "webhook_receiver.py"), hook_log])
    env = {"HERALD_BIN": binary, "HERALD_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
           "HERALD_SMTP_FROM": "status@acme.example", "HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8",
           "HERALD_NOTIFY_ALLOW_HTTP": "1", "HERALD_PUBLIC_URL": "https://status.acme.test"}
    import harness
    harness.HERALD = binary
    herald = Herald(db=f"sqlite:{db_file}", env=env).start()
    out = {}
    try:
        for path in PAGES:
            r = herald.get(path)
            out[f"GET {path}"] = f"{r.status} {r.headers.get('Content-Type')}\n".encode() + r.body
        admin = herald.token("admin")
        page_id = next(p for p in herald.get("/v1/pages", token=admin).json() if p.get("is_default", True))["id"]
        for body in ({"channel": "webhook", "endpoint": f"http://127.0.0.1:{hooks.port}/hook"},
                     {"channel": "email", "email": "ops@example.com", "skip_confirmation_notification": True}):
            r = herald.request("POST", f"/v1/pages/{page_id}/subscribers", {"subscriber": body}, token=admin)
            out[f"subscribe {body['channel']}"] = f"{r.status}\n".encode() + r.body
        herald.wait_for(lambda: len(records(hook_log)) >= 1, timeout=15, what="webhook confirmation")
        r = herald.request("POST", f"/v1/pages/{page_id}/incidents", {"incident": {
            "name": "Checkout errors", "status": "investigating", "impact": "major",
            "body": "Some payments **fail**. Retry in a few minutes.", "component_ids": []}}, token=admin)
        out["incident create"] = f"{r.status}\n".encode() + r.body
        herald.wait_for(lambda: len(records(hook_log)) >= 2, timeout=15, what="incident webhook")
        herald.wait_for(lambda: len(os.listdir(mail_dir)) >= 1, timeout=15, what="incident email")
        for i, rec in enumerate(records(hook_log)):
            out[f"webhook {i}"] = (rec["path"] + "\n" + rec["body"]).encode()
        for name in sorted(os.listdir(mail_dir)):
            with open(os.path.join(mail_dir, name), "rb") as f:
                out[f"email {name[-12:]}"] = readable_mail(f.read())
        time.sleep(0.5)
        for path in ("/", "/api/v2/summary.json", "/api/v2/incidents/unresolved.json"):
            r = herald.get(path)
            out[f"GET {path} after incident"] = r.body
    finally:
        herald.cleanup()
        smtp.stop()
        hooks.stop()
    return {k: normalise(v) for k, v in out.items()}


def seed(binary, workdir):
    import harness
    harness.HERALD = binary
    os.makedirs(workdir)
    db_file = os.path.join(workdir, "herald.db")
    herald = Herald(db=f"sqlite:{db_file}", demo=True).start()
    herald.wait_for(lambda: herald.get("/api/v2/summary.json").status == 200, timeout=15, what="demo")
    herald.stop()
    return db_file


def diff(a, b, label_a, label_b):
    lines = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key, b"<missing>\n"), b.get(key, b"<missing>\n")
        if x != y:
            lines.append(f"== {key}: differs")
            lines.extend(difflib.unified_diff(x.decode(errors="replace").splitlines(),
                                              y.decode(errors="replace").splitlines(),
                                              label_a, label_b, lineterm="", n=1))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--keep", help="keep the databases and captures in this directory")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="herald-compare-")
    try:
        seed_db = seed(os.path.abspath(args.old), os.path.join(work, "seed"))
        old1 = capture(os.path.abspath(args.old), seed_db, os.path.join(work, "old1"))
        new = capture(os.path.abspath(args.new), seed_db, os.path.join(work, "new"))
        old2 = capture(os.path.abspath(args.old), seed_db, os.path.join(work, "old2"))
        noisy = sorted(k for k in old1 if old1.get(k) != old2.get(k))
        # A key differs for real when the new output matches neither run of the old binary.
        real = [k for k in sorted(set(old1) | set(new)) if new.get(k) not in (old1.get(k), old2.get(k))]
        print(f"{len(old1)} outputs compared; differing between two runs of the old binary: "
              f"{noisy or 'none'}")
        if real:
            print("\n".join(diff({k: old1.get(k, b"") for k in real}, {k: new.get(k, b"") for k in real},
                                 "old", "new")))
            print(f"DIFFERENT: {real}")
            return 1
        print("IDENTICAL")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
