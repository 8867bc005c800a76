#!/usr/bin/env python3
"""Formats bench/run.sh's results.tsv as a Markdown table and checks the issue's goals.

Input lines: path, Accept-Encoding, conns, nginx BENCH fields, herald BENCH fields, and the update
loop's "ok failed checked bad" during the nginx run and during the herald run (tab-separated; the
BENCH fields are "key=value" pairs printed by bench/report.lua).
Exit status 1 if any run saw a non-2xx response, a socket error or a document the update loop
found broken; goals are only reported.
"""
import sys

RATIO_GOAL = 0.9
P99_GOAL_MS = 5.0
P99_GOAL_CONNS = 256


def fields(s):
    return {k: int(v) for k, v in (kv.split("=", 1) for kv in s.split())}


def main(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 7:
                continue
            rows.append((parts[0], parts[1], int(parts[2]), fields(parts[3]), fields(parts[4]),
                         [int(x) for x in parts[5].split()], [int(x) for x in parts[6].split()]))
    if not rows:
        print("no results")
        return 1

    def rps(r):
        return r["requests"] / (r["duration_us"] / 1e6)

    def cpu_per_req(r):
        return f"{r['cpu_us'] / r['requests']:.1f}" if "cpu_us" in r and r["requests"] else "?"

    def sock(r):
        return r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]

    hdr = ["path", "enc", "conns", "nginx req/s", "herald req/s", "ratio", "nginx p99", "herald p99",
           "CPU us/req nginx/herald",
           "non-2xx nginx/herald", "sock err nginx/herald", "bytes/resp nginx/herald", "updates nginx/herald",
           "docs checked (bad) nginx/herald"]
    out = [hdr]
    bad = False
    ratio_ok = True
    p99_ok = True
    nginx_p99_ok = True
    for p, enc, c, n, h, nu, hu in rows:
        ratio = rps(h) / rps(n) if rps(n) else 0.0
        out.append([p, enc, str(c), f"{rps(n):,.0f}", f"{rps(h):,.0f}", f"{ratio:.2f}",
                    f"{n['p99_us'] / 1000:.2f} ms", f"{h['p99_us'] / 1000:.2f} ms",
                    f"{cpu_per_req(n)}/{cpu_per_req(h)}",
                    f"{n['status_errors']}/{h['status_errors']}", f"{sock(n)}/{sock(h)}",
                    f"{n['bytes'] // max(n['requests'], 1)}/{h['bytes'] // max(h['requests'], 1)}",
                    f"{nu[0]}/{hu[0]}" + (f" ({nu[1]}/{hu[1]} failed)" if nu[1] or hu[1] else ""),
                    f"{nu[2]} ({nu[3]})/{hu[2]} ({hu[3]})"])
        bad = bad or n["status_errors"] or h["status_errors"] or sock(n) or sock(h) or nu[3] or hu[3]
        ratio_ok = ratio_ok and ratio >= RATIO_GOAL
        if c == P99_GOAL_CONNS:
            p99_ok = p99_ok and h["p99_us"] / 1000 < P99_GOAL_MS
            nginx_p99_ok = nginx_p99_ok and n["p99_us"] / 1000 < P99_GOAL_MS
    widths = [max(len(r[i]) for r in out) for i in range(len(hdr))]
    for i, r in enumerate(out):
        print("| " + " | ".join(cell.rjust(w) if j > 1 else cell.ljust(w) for j, (cell, w) in
                                enumerate(zip(r, widths))) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()
    print(f"goal: herald >= {RATIO_GOAL}x nginx req/s on every row: {'MET' if ratio_ok else 'NOT MET'}")
    print(f"goal: herald p99 < {P99_GOAL_MS:g} ms at {P99_GOAL_CONNS} connections: {'MET' if p99_ok else 'NOT MET'}"
          f" (nginx's p99 in the same rows: {'under' if nginx_p99_ok else 'NOT under'} {P99_GOAL_MS:g} ms)")
    print(f"non-2xx responses / socket errors / broken documents: {'some (see table)' if bad else 'none'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
