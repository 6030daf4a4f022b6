#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A sweep of many seed-sized jobs under `lossd serve`: start-up, wall time and memory per job.

    Benchmarks/many_jobs.py [--jobs 100000] [--steps 1000] [--lossd PATH] [--workers N] [--startup]

Each job fits [10, 10, 10] toward [30, 20, 50] with MSE and SGD and no tolerance, so every job
runs all its steps. The script runs `lossd serve` in the foreground on a fresh state directory,
listens on its NOTIFY_SOCKET, and prints, for the sweep and for a run of one job (the baseline):

    ready_s          start to READY=1 (parse, expand, schedule every job)
    wall_s           start to the STATUS= line that counts every job done
    peak_rss_kb      VmHWM of the process
    finished_rss_kb  VmRSS two report intervals after every job is done
    per_job_bytes    (finished_rss_kb of the sweep - that of one job) * 1024 / (jobs - 1)

--startup measures ready_s only (and the RSS at READY), stopping lossd there.

Build lossd first (`swift build -c release --product lossd`); run on a quiet machine.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

STATUS = re.compile(r"(?:(\d+) queued, )?(\d+) running, (\d+) done .*?, (\d+) failed")


def config(jobs, steps, workers):
    """JOBS seed-sized jobs as one sweep: seed x lr, at most 1,000 values a key."""
    seeds = min(jobs, 1000)
    rates = jobs // seeds
    assert seeds * rates == jobs, "jobs must be a multiple of 1,000 (or below it)"
    lines = ["daemon:", "  report_interval: 1s", "  checkpoint_interval: 60s"]
    if workers:
        lines.append(f"  workers: {workers}")
    lines += ["jobs:", "  - name: many", "    loss: mse", "    init: [10, 10, 10]", "    target: [30, 20, 50]",
              "    optimizer: {name: sgd, lr: 0.1}", f"    max_steps: {steps}", "    sweep:",
              "      seed: [" + ", ".join(str(s) for s in range(1, seeds + 1)) + "]",
              "      optimizer.lr: [" + ", ".join(f"{0.0001 * (r + 1):.4f}" for r in range(rates)) + "]"]
    return "\n".join(lines) + "\n"


def memory(pid):
    """(VmRSS, VmHWM) in KB."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def run(lossd, jobs, steps, workers, timeout, startup=False):
    work = tempfile.mkdtemp(prefix="lossd-many-")
    try:
        path = os.path.join(work, "many.yaml")
        with open(path, "w") as file:
            file.write(config(jobs, steps, workers))
        notify = os.path.join(work, "notify")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(notify)
        listener.settimeout(0.05)
        environment = dict(os.environ, NOTIFY_SOCKET=notify)
        started = time.monotonic()
        process = subprocess.Popen([lossd, "serve", "--config", path, "--state-dir", os.path.join(work, "state")],
                                   env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=open(os.path.join(work, "serve.log"), "w"))
        ready = wall = None
        peak = finished_rss = 0
        try:
            while time.monotonic() - started < timeout:
                try:
                    message = listener.recv(65536).decode()
                except socket.timeout:
                    message = ""
                now = time.monotonic() - started
                if process.poll() is not None:
                    sys.exit(f"lossd serve exited with {process.returncode}: see {work}/serve.log")
                rss, peak = memory(process.pid)
                if "READY=1" in message and ready is None:
                    ready = now
                    if startup:
                        return ready, None, peak, rss
                for line in message.splitlines():
                    match = STATUS.search(line)
                    if match and wall is None and ready is not None:
                        queued, running, done, failed = (int(g or 0) for g in match.groups())
                        if queued == 0 and running == 0 and done + failed == jobs:
                            wall = now
                            settle = now
                if wall is not None and now - settle > 2.5:
                    finished_rss, peak = memory(process.pid)
                    break
            else:
                sys.exit(f"timed out after {timeout} s: see {work}/serve.log")
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait()
            listener.close()
        return ready, wall, peak, finished_rss
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600)
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".build", "release", "lossd")
    parser.add_argument("--lossd", default=default)
    parser.add_argument("--startup", action="store_true")
    arguments = parser.parse_args()
    if arguments.startup:
        ready, _, peak, rss = run(arguments.lossd, arguments.jobs, arguments.steps, arguments.workers, arguments.timeout, True)
        print(f"many.jobs {arguments.jobs}")
        print(f"many.ready_s {ready:.2f}")
        print(f"many.ready_rss_kb {rss}")
        return
    _, _, _, baseline = run(arguments.lossd, 1, arguments.steps, arguments.workers, arguments.timeout)
    ready, wall, peak, finished = run(arguments.lossd, arguments.jobs, arguments.steps, arguments.workers, arguments.timeout)
    per_job = (finished - baseline) * 1024 / max(1, arguments.jobs - 1)
    print(f"many.jobs {arguments.jobs}")
    print(f"many.steps {arguments.steps}")
    print(f"many.ready_s {ready:.2f}")
    print(f"many.wall_s {wall:.2f}")
    print(f"many.peak_rss_kb {peak}")
    print(f"many.baseline_rss_kb {baseline}")
    print(f"many.finished_rss_kb {finished}")
    print(f"many.per_job_bytes {per_job:.0f}")


if __name__ == "__main__":
    main()
