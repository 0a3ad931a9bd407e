"""Debian's Chromium for the browser tests: skipped on a machine without
it, but a failure when the ``CI`` environment variable is set (as
``.ci/run`` sets it), so CI cannot pass without running them."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_chromium() -> None:
    """Skip the calling test (or fail it under CI) when Chromium or
    Playwright is missing."""
    missing = []
    if not shutil.which(CHROMIUM):
        missing.append(f"Debian's Chromium ({CHROMIUM})")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright")
    if not missing:
        return
    reason = " and ".join(missing) + " missing: the browser tests cannot run"
    if running_in_ci():
        pytest.fail(reason + " (CI is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)
