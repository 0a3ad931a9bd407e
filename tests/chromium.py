"""Debian's Chromium for the browser tests: skipped on a machine without
it, but a failure when the ``CI`` environment variable is set (as
``.ci/run`` sets it), so CI cannot pass without running them."""

import importlib
import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_chromium(*modules: str) -> None:
    """Skip the calling test (or fail it under CI) when Chromium, Playwright
    or one of ``modules`` (say, axe-core's binding) is missing."""
    missing = []
    if not shutil.which(CHROMIUM):
        missing.append(f"Debian's Chromium ({CHROMIUM})")
    for module in ("playwright.sync_api", *modules):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if not missing:
        return
    reason = " and ".join(missing) + " missing: the browser tests cannot run"
    if running_in_ci():
        pytest.fail(reason + " (CI is set, so this is a failure)", pytrace=False)
    pytest.skip(reason)
