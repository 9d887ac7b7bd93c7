"""User text (group names) is shown as plain text: Markdown in it is never rendered."""

from __future__ import annotations

from pathlib import Path

from apphelpers import no_exception, run_page

from stridewise.store import Store

IMAGE_GROUP = "Track ![pixel](http://127.0.0.1:9/track.png) **club**"


def test_group_name_with_markdown_is_plain_text_on_the_squad_page(demo_db: Path) -> None:
    store = Store(str(demo_db))
    name = store.athletes()["name"].iloc[0]
    store.upsert_athlete(name, group=IMAGE_GROUP)
    store.engine.dispose()
    at = run_page("squad")
    no_exception(at)
    pills = at.pills(key="squad_groups")
    labels = [o.content for o in pills.proto.options]
    shown = next(lb for lb in labels if "pixel" in lb)
    # no image or emphasis syntax survives: the Markdown characters are escaped, so the label
    # renders as the group's own text and no browser fetches the image
    assert "![" not in shown and r"\!\[pixel\]\(" in shown
    assert "**" not in shown and r"\*\*club\*\*" in shown
    assert shown.replace("\\", "") == IMAGE_GROUP
    pills.set_value([IMAGE_GROUP]).run()
    no_exception(at)
    assert list(at.dataframe[0].value["Athlete"]) == [name]
