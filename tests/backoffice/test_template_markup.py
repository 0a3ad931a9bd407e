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
