"""Rules of the DSFR markup checked over every back-office template file."""

import re
from pathlib import Path

from django.conf import settings

GROUP = re.compile(r'<ul class="(fr-btns-group[^"]*)"[^>]*>(.*?)</ul>', re.DOTALL)


def template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [
        path
        for app in ("config", "services", "notifications", "templates_app")
        for path in (root / app).glob("templates/**/*.html")
    ]


def test_button_groups_with_icons_say_so_or_the_dsfr_hides_their_text():
    wrong = [
        f"{path.name}: {classes}"
        for path in template_files()
        for classes, items in GROUP.findall(path.read_text())
        if "fr-btn--icon-left" in items
        and "fr-btns-group--icon-left" not in classes
        and "fr-btns-group--icon-right" not in classes
    ]

    assert template_files()
    assert wrong == []


HEADING_THEN_TABLE = re.compile(
    r"</h[1-6]>\s*(?:<p[^>]*>.*?</p>\s*)?<div class=\"fr-table[^\"]*\"><table[^>]*>"
    r"\s*<caption(?P<attrs>[^>]*)>",
    re.DOTALL,
)


# Pages whose tables sit under a heading that already names them (other
# pages' captions add to their heading, such as the versions' order).
HEADED_TABLES = (
    "notifications/dashboard.html",
    "notifications/detail.html",
    "services/service/team.html",
    "services/account/account.html",
)


def test_a_caption_repeating_the_heading_above_is_for_screen_readers_only():
    checked = [
        path for path in template_files() if path.as_posix().endswith(HEADED_TABLES)
    ]
    repeated = [
        path.name
        for path in checked
        for match in HEADING_THEN_TABLE.finditer(path.read_text())
        if "fr-sr-only" not in match.group("attrs")
    ]

    assert len(checked) == len(HEADED_TABLES)
    assert repeated == []
