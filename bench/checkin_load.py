"""Check-in under load: gunicorn (2 workers) on loopback, 16 concurrent kiosks for 20 s.

Prints scans/s, p50/p99 latency and the event count checked against the responses, for
ZoneKeeper and, in the same run, for a minimal baseline (bench/baseline_app.py: verify an
HMAC, insert one row), with the ratio. On SQLite, and on PostgreSQL when it is reachable.

    .venv/bin/python bench/checkin_load.py [--seconds 20] [--kiosks 16] [--backend both]

Each server first gets one untimed second of the same load (warm-up); then the two take
the load in turns, four rounds each, so that a machine whose speed drifts during the run
weighs on both alike.

Targets (issue #5): throughput >= 0.5 x baseline, p99 <= 50 ms, zero lost or duplicated events.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/zonekeeper_bench"
WARM_UP_SECONDS = 1.0
ROUNDS = 4  # each server's time under load, in turns


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS zonekeeper_bench WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE zonekeeper_bench"))
    admin.dispose()
    return PG_BENCH


def prepare_site(env: dict[str, str]) -> dict[str, object]:
    """Migrate, load the demo, register a reader at each door; return tokens and badge codes."""
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(BIN / "zonekeeper"), *args], env=env, check=True, capture_output=True, text=True
    )
    run("db", "upgrade")
    run("demo", "load")
    script = (
        "import json\n"
        "from zonekeeper import create_app\n"
        "from zonekeeper.doors.devices import add_device\n"
        "from zonekeeper.badges.models import Badge\n"
        "from zonekeeper.badges.services import token_for\n"
        "from zonekeeper.extensions import db\n"
        "from zonekeeper.site.services import doors\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    tokens = {d.code: add_device(d.code, 'bench') for d in doors()}\n"
        "    badges = [token_for(b) for b in db.session.query(Badge).all()]\n"
        "    print(json.dumps({'devices': tokens, 'badges': badges}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def serve(app_spec: str, env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_spec,
        ],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(
        f"gunicorn did not start: {process.stderr.read().decode()[:2000] if process.stderr else ''}"
    )


def load(port: int, site: dict[str, object], kiosks: int, seconds: float) -> dict[str, Any]:
    devices: dict[str, str] = site["devices"]  # type: ignore[assignment]
    badges: list[str] = site["badges"]  # type: ignore[assignment]
    codes = sorted(devices)
    latencies: list[float] = []
    event_ids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def kiosk(number: int) -> None:
        door = codes[number % len(codes)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": f"Bearer {devices[door]}", "Content-Type": "application/json"}
        n = 0
        while time.perf_counter() < stop:
            badge = badges[(number * 7 + n) % len(badges)]
            body = json.dumps({"text": badge, "direction": "in" if n % 2 == 0 else "out"})
            started = time.perf_counter()
            try:
                connection.request("POST", f"/api/v1/doors/{door}/scans", body, headers)
                response = connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(type(exc).__name__)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            elapsed = time.perf_counter() - started
            with lock:
                if response.status == 201:
                    latencies.append(elapsed)
                    event_ids.append(int(json.loads(data)["event_id"]))
                else:
                    errors.append(str(response.status))
            n += 1
        connection.close()

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(kiosks)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - began
    return {"latencies": latencies, "took": took, "event_ids": event_ids, "errors": errors}


def summary(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The rounds of one server taken together: scans/s over their time, p50/p99 over all."""
    latencies = sorted(x for part in parts for x in part["latencies"])
    took = sum(part["took"] for part in parts)
    return {
        "scans": len(latencies),
        "rate": len(latencies) / took,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan"),
        "event_ids": [event for part in parts for event in part["event_ids"]],
        "errors": [error for part in parts for error in part["errors"]],
    }


def count_scan_events(url: str) -> int:
    """Scan events only: escort pairings and expiries are events too, but not answers."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = int(
            connection.execute(
                text("SELECT count(*) FROM access_events WHERE kind = 'scan'")
            ).scalar_one()
        )
    engine.dispose()
    return count


def verify_log(env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN / "zonekeeper"), "door", "verify-log"], env=env, capture_output=True, text=True
    )
    return (result.stdout or result.stderr).strip()


def bench_backend(backend: str, kiosks: int, seconds: float) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = fresh_database(backend, workdir)
        env = {
            **os.environ,
            "ZONEKEEPER_DATABASE_URL": url,
            "ZONEKEEPER_SECRET_KEY": secrets.token_hex(16),
            "ZONEKEEPER_AUDIT_KEY": secrets.token_hex(16),
            "ZONEKEEPER_BADGE_KEY": secrets.token_hex(16),
            "ZONEKEEPER_LOG_LEVEL": "WARNING",
        }
        site = prepare_site(env)

        # Both servers run side by side and take the load in turns (ZoneKeeper, baseline,
        # ZoneKeeper, ...): a machine that speeds up or slows down during the run (a shared
        # VM does) weighs on both alike instead of on whichever ran second.
        ours_port, base_port = free_port(), free_port()
        ours_server = serve("wsgi:app", env, ours_port, ROOT)
        base_server = serve("baseline_app:app", env, base_port, ROOT / "bench")
        ours_parts, base_parts = [], []
        try:
            # both apps get the same warm-up, not timed: each worker loads the rules and
            # compiles its statements on first use, which would otherwise land in the p99
            load(ours_port, site, kiosks, WARM_UP_SECONDS)
            load(base_port, site, kiosks, WARM_UP_SECONDS)
            events_before = count_scan_events(url)
            for _ in range(ROUNDS):
                ours_parts.append(load(ours_port, site, kiosks, seconds / ROUNDS))
                base_parts.append(load(base_port, site, kiosks, seconds / ROUNDS))
        finally:
            for server in (ours_server, base_server):
                server.terminate()
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:  # a loaded machine: do not leave it running
                    server.kill()
                    server.wait(timeout=30)
        ours, base = summary(ours_parts), summary(base_parts)
        events = count_scan_events(url) - events_before
        chain = verify_log(env)
        if backend == "postgresql":
            from sqlalchemy import create_engine, text

            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS zonekeeper_bench WITH (FORCE)"))
            admin.dispose()

    duplicates = len(ours["event_ids"]) - len(set(ours["event_ids"]))  # type: ignore[arg-type]
    lost = events - ours["scans"]  # type: ignore[operator]
    ratio = ours["rate"] / base["rate"]  # type: ignore[operator]
    print(f"\n== {backend}: {kiosks} kiosks, {seconds:.0f} s, gunicorn -w 2 ==")
    print(
        f"  ZoneKeeper: {ours['rate']:8.1f} scans/s  p50 {ours['p50_ms']:6.1f} ms  "
        f"p99 {ours['p99_ms']:6.1f} ms  ({ours['scans']} scans, {len(ours['errors'])} errors)"
    )
    print(
        f"  baseline:   {base['rate']:8.1f} scans/s  p50 {base['p50_ms']:6.1f} ms  "
        f"p99 {base['p99_ms']:6.1f} ms"
    )
    print(f"  ratio (ZoneKeeper / baseline throughput): {ratio:.2f}   (target >= 0.50)")
    print(
        f"  events in the log: {events} for {ours['scans']} answered scans; "
        f"lost or extra {lost}, duplicated event ids {duplicates}"
    )
    print(f"  access log: {chain}")
    ok = (
        ratio >= 0.5
        and ours["p99_ms"] <= 50
        and lost == 0
        and duplicates == 0  # type: ignore[operator]
        and not ours["errors"]
        and chain.startswith("OK")
    )
    print(f"  {'MEETS' if ok else 'MISSES'} the targets")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--kiosks", type=int, default=16)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}"
    )
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench_backend(backend, args.kiosks, args.seconds)


if __name__ == "__main__":
    main()
