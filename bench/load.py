"""Drive HTTP load with wrk (compiled, from Debian) and read its results."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_DIR = Path(__file__).resolve().parent / "wrk"


@dataclass(frozen=True)
class LoadResult:
    concurrency: int
    requests: int
    created: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def created_rate(self) -> float:
        return self.created / self.seconds if self.seconds else 0.0


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: apt-get install wrk (the benchmark's load generator)"
        )
    return path


def run_wrk(
    url: str,
    *,
    concurrency: int,
    seconds: float,
    script: str = "get.lua",
    env: dict | None = None,
    threads: int | None = None,
    timeout_s: int = 5,
) -> LoadResult:
    threads = threads or min(2, concurrency)
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{concurrency}",
        # wrk takes whole seconds only ("-d2.5s" is refused).
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(WRK_DIR / script),
        url,
    ]
    result = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    line = next(
        (item for item in result.stdout.splitlines() if item.startswith("RESULT ")),
        None,
    )
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{result.stdout}\n{result.stderr}")
    data = json.loads(line.removeprefix("RESULT "))
    errors = sum(value for key, value in data.items() if key.startswith("errors_"))
    return LoadResult(
        concurrency=concurrency,
        requests=data["requests"],
        created=data["created"],
        seconds=data["duration_us"] / 1e6,
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )
