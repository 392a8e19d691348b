"""A tiny TAP-style harness for the Python end-to-end tests.

    from tap import Tap
    t = Tap()

    @t.test
    def daemon_starts():
        assert ..., "why it failed"

    t.check("name", cond, "detail")   # a check that does not stop the script

    t.done()          # prints "# N passed, N failed", exits non-zero on failure

Each test prints "ok - NAME" or "not ok - NAME" followed by "# " lines with
the failure. A test that raises anything fails; the others still run.
"""
import os
import sys
import time
import traceback


class Tap:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.only = os.environ.get("TEST_ONLY")

    def test(self, fn):
        name = fn.__name__
        if self.only and self.only not in name:
            return fn
        start = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            self.failed += 1
            print(f"not ok - {name}")
            for line in traceback.format_exception(type(e), e, e.__traceback__)[-6:]:
                for sub in line.rstrip().splitlines():
                    print(f"# {sub}")
        else:
            self.passed += 1
            print(f"ok - {name} ({time.monotonic() - start:.1f}s)")
        sys.stdout.flush()
        return fn

    def check(self, name, cond, detail=""):
        """One named check that does not stop the script; returns cond.

        For scripts that are a list of checks rather than test functions.
        """
        if self.only and self.only not in name:
            return cond
        if cond:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"not ok - {name}")
            for line in str(detail).splitlines():
                print(f"# {line}")
        sys.stdout.flush()
        return cond

    def done(self):
        print(f"# {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def wait_for(cond, timeout=10.0, what="condition", interval=0.02):
    """Polls cond() until it returns something truthy; returns that value.

    Raises AssertionError naming `what` when the deadline passes.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)
