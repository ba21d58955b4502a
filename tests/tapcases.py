# SPDX-License-Identifier: GPL-3.0-or-later
"""The TAP harness of the Python tests: register cases with @case("what it
shows"), then run_cases() prints TAP, reports every failure with its
message, keeps going, and exits 1 if any failed."""

import os
import sys
import traceback

_cases = []


def case(name):
    def register(fn):
        _cases.append((name, fn))
        return fn
    return register


def run_cases(cleanup=None, select=None):
    """select: (optional) which cases run, by name; a slow case can be a test of its own."""
    cases = [(name, fn) for name, fn in _cases if select is None or select(name)]
    print(f"1..{len(cases)}")
    failed = 0
    try:
        for number, (name, fn) in enumerate(cases, 1):
            try:
                fn()
                print(f"ok {number} {name}", flush=True)
            except Exception as error:  # report every failure, keep going
                failed += 1
                print(f"not ok {number} {name}")
                for line in repr(error).splitlines():
                    print(f"# {line}")
                # Where, when the message alone does not say.
                where = traceback.extract_tb(error.__traceback__)[-1]
                print(f"# at {os.path.basename(where.filename)}:{where.lineno}: {where.line}")
    finally:
        if cleanup is not None:
            cleanup()
    sys.exit(1 if failed else 0)
