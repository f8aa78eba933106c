"""The physical limit for the newsletter benchmark: a bare smtplib sender pushing
pre-rendered messages over persistent connections into the same SMTP sink."""

# Run by bench/newsletter.py:
#   .venv/bin/python bench/newsletter_bare.py --port 2525 --messages 100000 \
#       --connections 4 --sample sample.eml --out bare.json
# The sample is one message Herald rendered for this issue; each message sent here
# is that message with its own To and Message-ID, so the sink reads the same bytes
# and lines as from Herald. No database, no rendering, no bookkeeping.

import argparse
import json
import smtplib
import threading
import time
from pathlib import Path

RECIPIENT = "reader{n}@bench.example.org"


def split_sample(raw: bytes) -> tuple[bytes, bytes]:
    """(the headers other than To and Message-ID, the blank line and body)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, "the sample has no header/body separator"
    kept = [
        line
        for line in head.split(b"\r\n")
        if not line.lower().startswith((b"to:", b"message-id:"))
    ]
    return b"\r\n".join(kept), b"\r\n\r\n" + body


def run(port: int, messages: int, connections: int, sample: bytes) -> dict[str, float]:
    head, body = split_sample(sample)
    sender = "daily@bench-1.herald.test"
    lock = threading.Lock()
    next_n = [0]
    sent = [0] * connections
    errors: list[BaseException] = []

    def take() -> int:
        with lock:
            n = next_n[0]
            next_n[0] += 1
            return n

    def worker(slot: int) -> None:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as conn:
                while (n := take()) < messages:
                    rcpt = RECIPIENT.format(n=n)
                    data = b"".join(
                        [
                            b"To: ",
                            rcpt.encode(),
                            b"\r\nMessage-ID: <bare.",
                            str(n).encode(),
                            b"@bench-1.herald.test>\r\n",
                            head,
                            body,
                        ]
                    )
                    conn.sendmail(sender, [rcpt], data)
                    sent[slot] += 1
        except BaseException as exc:  # reported by the caller
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(slot,), daemon=True)
        for slot in range(connections)
    ]
    started = time.monotonic()
    cpu_before = time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    if errors:
        raise SystemExit(f"bare sender failed: {errors[0]!r}")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "sent": sum(sent),
        "message_bytes": len(head) + len(body) + 80,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    result = run(args.port, args.messages, args.connections, args.sample.read_bytes())
    args.out.write_text(json.dumps(result, indent=1))
    print(f"bare: {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main()
