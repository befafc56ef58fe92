"""Time parse_message over the sample messages (the common case: all under 1 MiB), to compare two trees.

python bench/parse_common.py [--rounds 20] [--tree /path/to/other/checkout]   # interleave two trees' runs
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "samples"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--tree", help="import foimail from this checkout instead of the installed one")
    args = parser.parse_args()
    if args.tree:
        sys.path.insert(0, args.tree)
    parse_message = importlib.import_module("foimail.mail.parse").parse_message
    messages = [path.read_bytes() for path in sorted(SAMPLES.rglob("*.eml"))]
    best = float("inf")
    for _ in range(args.rounds):
        started = time.process_time()  # CPU time: the machine is shared, wall time says more about the others
        for raw in messages:
            parse_message(raw)
        best = min(best, time.process_time() - started)
    tree = Path(sys.modules["foimail"].__file__ or "").parents[1]
    print(f"tree={tree} messages={len(messages)} best_round_cpu_ms={best * 1000:.1f}")


if __name__ == "__main__":
    main()
