"""An SMTP sink in its own process (aiosmtpd) that a test or benchmark can stop, kill
and restart, and whose record of accepted mail survives the sender's death."""

# Run it as a module from the repository root:
#   python -m herald.newsletter.tests.sink_process --record accepted.tsv
#   python -m herald.newsletter.tests.sink_process --stats stats.json
# It prints "READY <port>" on stdout once it listens (--port 0 picks a free port).
#
# --record PATH appends "<Message-ID>\t<recipient>\n" for every accepted message,
# flushed and fsynced before the 250 reply, so the file holds exactly what the
# server took responsibility for, whatever happens to the sender afterwards.
# --stats PATH writes {"messages", "bytes", "first_at", "last_at"} (time.time()
# seconds) when sent SIGUSR1 (and on exit); "dumps" counts the writes.
#
# SIGTERM closes the sink the way a mail server going down for maintenance does:
# it stops listening at once (new connections are refused), answers 421 to any
# transaction still open for a second, then exits. A message whose data was
# complete before SIGTERM is still accepted and recorded.

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP

MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.M)
CLOSING_GRACE_SECONDS = 1.0
SHUTTING_DOWN = "421 4.3.2 Service shutting down"


class Handler:
    """Accepts every message; records or counts it."""

    def __init__(self, record: Path | None, stats: Path | None) -> None:
        self.record = open(record, "ab") if record else None  # noqa: SIM115
        self.stats = stats
        self.closing = False
        self.messages = 0
        self.bytes = 0
        self.first_at = 0.0
        self.last_at = 0.0
        self.dumps = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.closing:
            return SHUTTING_DOWN
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.closing:
            return SHUTTING_DOWN
        data: bytes = envelope.original_content or b""
        if self.record is not None:
            head = data.split(b"\r\n\r\n", 1)[0]
            found = MESSAGE_ID.search(head)
            message_id = found.group(1) if found else b"<none>"
            for rcpt in envelope.rcpt_tos:
                self.record.write(message_id + b"\t" + rcpt.encode() + b"\n")
            self.record.flush()
            os.fsync(self.record.fileno())
        now = time.time()
        self.first_at = self.first_at or now
        self.last_at = now
        self.messages += 1
        self.bytes += len(data)
        return "250 2.0.0 Ok: queued"

    def dump(self) -> None:
        if self.stats is None:
            return
        self.dumps += 1
        tmp = self.stats.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "messages": self.messages,
                    "bytes": self.bytes,
                    "first_at": self.first_at,
                    "last_at": self.last_at,
                    "dumps": self.dumps,
                }
            )
        )
        tmp.replace(self.stats)


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    handler = Handler(args.record, args.stats)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.localhost", timeout=args.timeout),
        host="127.0.0.1",
        port=args.port,
        backlog=256,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    done = asyncio.Event()

    def close() -> None:
        handler.closing = True
        server.close()  # stop listening: new connections are refused from now on
        loop.call_later(CLOSING_GRACE_SECONDS, done.set)

    loop.add_signal_handler(signal.SIGTERM, close)
    loop.add_signal_handler(signal.SIGINT, close)
    loop.add_signal_handler(signal.SIGUSR1, handler.dump)
    sys.stdout.write(f"READY {port}\n")
    sys.stdout.flush()
    await done.wait()
    handler.dump()
    if handler.record is not None:
        handler.record.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", type=Path, help="append accepted Message-IDs")
    parser.add_argument("--stats", type=Path, help="write counts on SIGUSR1")
    parser.add_argument("--timeout", type=float, default=60.0, help="idle seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(serve(args))
    # Connections still open are dropped with the process.
    os._exit(0)


if __name__ == "__main__":
    main()
