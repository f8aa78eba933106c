"""A fast SMTP sink for the newsletter benchmark: accepts and counts every message,
reading DATA in blocks rather than line by line."""

# aiosmtpd reads DATA one line at a time in Python; on a 50 kB message (about 700
# quoted-printable lines) that caps it near 160 messages a second on one core here,
# below the rate the benchmark must measure, so it would measure aiosmtpd. This sink
# speaks just enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
# QUIT; no pipelining needed) and finds the end of DATA with one bytes.find per
# block received. Same interface as herald/newsletter/tests/sink_process.py's
# --stats mode: prints "READY <port>", writes its counts on SIGUSR1 and on exit,
# and closes on SIGTERM.
#   .venv/bin/python bench/newsletter_sink.py --stats sink.json

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path

END = b"\r\n.\r\n"


class Counts:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages = 0
        self.bytes = 0
        self.first_at = 0.0
        self.last_at = 0.0
        self.dumps = 0

    def add(self, size: int) -> None:
        now = time.time()
        self.first_at = self.first_at or now
        self.last_at = now
        self.messages += 1
        self.bytes += size

    def dump(self) -> None:
        self.dumps += 1
        tmp = self.path.with_suffix(".tmp")
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
        tmp.replace(self.path)


class SmtpSink(asyncio.Protocol):
    """One connection: command lines, or DATA until CRLF.CRLF."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.buffer = b""
        self.in_data = False
        self.scanned = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink.localhost ESMTP bench sink\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.buffer and self.transport is not None:
            if self.in_data:
                if self.buffer.startswith(b".\r\n"):  # an empty message
                    size, used = 0, 3
                else:
                    end = self.buffer.find(END, self.scanned)
                    if end < 0:
                        # Look again only at what arrives, and the marker's start.
                        self.scanned = max(0, len(self.buffer) - len(END) + 1)
                        return
                    size, used = end + 2, end + len(END)  # keep the last CRLF
                self.counts.add(size)
                self.buffer = self.buffer[used:]
                self.in_data = False
                self.scanned = 0
                self.transport.write(b"250 2.0.0 Ok: queued\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            self.command(line)

    def command(self, line: bytes) -> None:
        assert self.transport is not None
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.transport.write(
                b"250-sink.localhost\r\n250-8BITMIME\r\n250-SIZE 67108864\r\n"
                b"250 SMTPUTF8\r\n"
            )
        elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            self.transport.write(b"250 OK\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        else:
            self.transport.write(b"502 5.5.2 Command not recognised\r\n")


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    counts = Counts(args.stats)
    server = await loop.create_server(
        lambda: SmtpSink(counts), "127.0.0.1", args.port, backlog=256
    )
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)
    loop.add_signal_handler(signal.SIGUSR1, counts.dump)
    sys.stdout.write(f"READY {server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    await done.wait()
    server.close()
    counts.dump()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--stats", type=Path, required=True)
    args = parser.parse_args(argv)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
