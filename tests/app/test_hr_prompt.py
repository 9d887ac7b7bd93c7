"""The Athlete page says when heart rate sits unused and saves the confirmed estimates."""

from __future__ import annotations

from pathlib import Path

from apphelpers import no_exception, run_page


def test_hr_prompt_offers_estimates_and_saves_them(demo_db: Path, store) -> None:
    # Ben's watch records heart rate; he logs no RPE
    store.upsert_athlete("Ben Carter", hr_max=None, hr_rest=None)
    at = run_page("athlete")
    at.sidebar.selectbox(key="athlete_page_pick").select("Ben Carter").run()
    no_exception(at)
    texts = [m.value for m in at.markdown]
    prompt = [t for t in texts if "HR max and resting HR are not set" in t]
    assert prompt and "loads are estimated" in prompt[0]
    hr_max = at.number_input(key="hrp_max_Ben Carter").value
    sessions = store.sessions(["Ben Carter"])
    assert hr_max == int(sessions["max_hr"].max())  # the highest heart rate seen
    assert at.number_input(key="hrp_rest_Ben Carter").value == 60
    at.button(key="hrp_save_Ben Carter").click().run()
    no_exception(at)
    row = store.athletes().set_index("name").loc["Ben Carter"]
    assert (row["hr_max"], row["hr_rest"]) == (float(hr_max), 60.0)
    assert not [m for m in at.markdown if "HR max and resting HR are not set" in m.value]


def test_no_prompt_when_the_profile_is_set(demo_db: Path) -> None:
    at = run_page("athlete")
    no_exception(at)
    assert not [m for m in at.markdown if "HR max and resting HR are not set" in m.value]
