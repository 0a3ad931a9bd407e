"""Without Chromium the browser tests skip on a workstation but fail under
CI, so CI cannot go green without them."""

import pytest

from tests import chromium


@pytest.fixture
def no_chromium(monkeypatch):
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_missing_chromium_fails_when_ci_is_set(no_chromium, monkeypatch, value):
    monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        chromium.require_chromium()


@pytest.mark.parametrize("value", [None, "", "0", "false"])
def test_missing_chromium_skips_outside_ci(no_chromium, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)

    with pytest.raises(pytest.skip.Exception, match="Chromium"):
        chromium.require_chromium()


def test_present_chromium_lets_the_tests_run(monkeypatch):
    monkeypatch.setattr(chromium.shutil, "which", lambda name: chromium.CHROMIUM)
    monkeypatch.setenv("CI", "1")

    chromium.require_chromium()


def test_ci_script_sets_ci_before_the_tests():
    from pathlib import Path

    script = (Path(__file__).parent.parent / ".ci" / "run").read_text()

    assert script.index("export CI=1") < script.index("\nmake test")
