"""wrk, the load generator: running it, reading its report, and rotation scripts."""

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class WrkResult:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx_3xx: int
    raw: str = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "requests": self.requests,
            "socket_errors": self.socket_errors,
            "non_2xx_3xx": self.non_2xx_3xx,
        }


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"not a wrk duration: {value!r}")
    return round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3)


def parse_wrk(text: str) -> WrkResult:
    """Requests/sec, the 50/90/99% latencies and the error counts of wrk's report."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    requests = re.search(r"^\s*(\d+) requests in", text, re.M)
    percent = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M))
    if not rps or not requests or set(percent) != {"50", "90", "99"}:
        raise ValueError(f"cannot read wrk's output:\n{text}")
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_to_ms(percent["50"]),
        p90_ms=_to_ms(percent["90"]),
        p99_ms=_to_ms(percent["99"]),
        requests=int(requests.group(1)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        raw=text,
    )


def run_wrk(
    url: str,
    host: str,
    duration: int,
    connections: int,
    threads: int,
    script: Path | None = None,
    timeout_s: int = 0,
) -> WrkResult:
    """wrk's report of one run; `timeout_s` > 0 waits that long for an answer
    (wrk's default is 2 s, which a slow page under load exceeds)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    cmd = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
        "-H", f"Host: {host}",
    ]  # fmt: skip
    if timeout_s:
        cmd += ["--timeout", f"{timeout_s}s"]
    if script is not None:
        cmd += ["-s", str(script)]
    cmd.append(url)
    try:
        done = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=duration + timeout_s + 30,
            check=True,
        )
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"wrk did not finish in {duration + 30} s") from exc
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"wrk failed ({exc.returncode}): {exc.stderr}") from exc
    return parse_wrk(done.stdout)


def write_rotation_script(paths: list[str], target: Path) -> None:
    """A wrk script that walks `paths` in turn; each wrk thread starts elsewhere."""
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    target.write_text(
        f"""local paths = {{
{quoted}
}}
local i = 0
setup = function(thread)
  thread:set("start", math.random(#paths))
end
init = function(args)
  i = start or 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
    )
