#!/usr/bin/python3
"""A counting SMTP sink for bench/notify.sh: accepts every message on 127.0.0.1 and appends one
line per recipient, "<epoch seconds> <address>", to LOG (buffered, flushed every 100 ms and on
exit), instead of writing a file per message like tests/fixtures/smtp_sink.py, so the sink is
not what limits emails/s.

usage: smtp_count.py --log LOG [--port N]

Prints "PORT <n>" once it accepts connections. Exits on SIGTERM/SIGINT. Needs aiosmtpd (Debian:
python3-aiosmtpd; run with /usr/bin/python3).
"""
import argparse
import asyncio
import signal
import time

from aiosmtpd.smtp import SMTP


class Counter:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        for rcpt in envelope.rcpt_tos:
            self.out.write("%.6f %s\n" % (now, rcpt))
        return "250 2.0.0 Ok: queued"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    args = p.parse_args()

    out = open(args.log, "a", buffering=1 << 16)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Counter(out)
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, hostname="sink.test", enable_SMTPUTF8=True), "127.0.0.1", args.port))
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)

    def flush():
        out.flush()
        loop.call_later(0.1, flush)

    loop.call_later(0.1, flush)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        out.close()


if __name__ == "__main__":
    main()
