""""How this is computed": a short formula, source and caveat for every load and risk metric.

The app shows these next to the numbers. The general caveat applies to all of them: the
injury-risk level is a heuristic that combines published warning signs, not a diagnosis, and the
acute:chronic workload ratio in particular is contested (Impellizzeri et al. 2020; Lolli et al.
2019).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from stridewise.settings import RiskSettings

__all__ = ["Explanation", "EXPLANATIONS", "HEURISTIC_DISCLAIMER", "risk_level_explanation",
           "EVIDENCE", "EVIDENCE_GRADE", "PLAIN"]


@dataclass(frozen=True)
class Explanation:
    """title: display name. formula: the computation in one or two lines. source: where it comes
    from. caveat: what it cannot tell you."""

    title: str
    formula: str
    source: str
    caveat: str


#: Shown wherever a risk level appears.
HEURISTIC_DISCLAIMER: Final[str] = (
    "The risk level is a heuristic built from published warning signs in your training log, not "
    "a diagnosis or a prediction for you personally. The acute:chronic workload ratio in "
    "particular is contested (Impellizzeri et al. 2020, Int J Sports Physiol Perform; Lolli et "
    "al. 2019, Br J Sports Med). Pain and wellness count only as far as you report them (check-in "
    "and niggle log); illness and life stress beyond that are not in the data: listen to your "
    "body and to your coach or clinician."
)

_ACWR_CAVEAT: Final[str] = (
    "Contested: ratios of a quantity to itself are mathematically coupled, the 'sweet spot' "
    "bands come from team sports, and the link to injury may be a statistical artefact "
    "(Impellizzeri et al. 2020; Lolli et al. 2019). Read it as a description of how your recent "
    "week compares with your last month, not as an injury probability."
)

#: Evidence grade of each signal the heuristic uses, in plain words (shown beside the metric).
EVIDENCE: Final[dict[str, str]] = {
    "spike_pct": "prospective cohort study (Frandsen et al. 2025, Br J Sports Med): a run much "
                 "longer than your recent longest is associated with more running injuries",
    "run_km_change_pct": "weak evidence: in Nielsen et al. 2014 (2-week window) the link was "
                         "not statistically significant; Damsted et al. 2019 found no clear "
                         "safe weekly progression",
    "acwr": "contested: the ratio's link to injury may be a statistical artefact (Impellizzeri "
            "et al. 2020; Lolli et al. 2019; Wang et al. 2020)",
    "monotony": "practitioner convention (Foster 1998), not an injury study",
    "strain": "practitioner convention (Foster 1998), not an injury study",
    "balance": "general exercise guidance (WHO 2020; ACSM), not an injury study",
    "coverage": "data quality, not a training signal",
    "load": "data quality, not a training signal",
    "hr_profile": "data quality, not a training signal",
    "symptoms": "reported symptom: a direct observation, ranked above every load figure (a "
                "problem that modifies training is a substantial problem in the OSTRC "
                "questionnaire, Clarsen et al. 2013; pain-monitoring model, Silbernagel et al. "
                "2007)",
}
#: Short grade labels for tables.
EVIDENCE_GRADE: Final[dict[str, str]] = {
    "spike_pct": "cohort study", "run_km_change_pct": "weak", "acwr": "contested",
    "monotony": "convention", "strain": "convention", "balance": "guidance",
    "coverage": "data quality", "load": "data quality", "hr_profile": "data quality",
    "symptoms": "reported symptom",
}


def risk_level_explanation(rs: RiskSettings | None = None) -> Explanation:
    """How the level is decided, with the thresholds in ``rs`` (default: the shipped ones)."""
    rs = rs or RiskSettings()
    return Explanation(
        "Injury-risk heuristic",
        "Reported symptoms first: an active niggle with training modified or stopped, or pain "
        "of 4/10 or more, gives at least moderate whatever the load says (also when there is "
        f"not enough data for the load figures). Leading signs: a run over {rs.spike_large:g} % longer than your longest in the 30 days "
        f"before it (within the last {rs.spike_days} days) gives high; a run "
        f"{rs.spike_small:g}-{rs.spike_large:g} % longer, or running distance of the last 7 days "
        f"over {rs.run_km_increase_pct:g} % above your usual week, gives moderate; both together "
        f"give high. Context: an acute:chronic ratio above {rs.acwr_very_high:g}, or training "
        "again after 3+ weeks off, gives moderate at most; a ratio above "
        f"{rs.acwr_high:g} or below {rs.acwr_low:g} and monotony above {rs.monotony_high:g} are "
        "mentioned without raising the level. Also mentioned: no work in an area you train for "
        f"over {rs.days_without_area} days, loads estimated without RPE or usable heart rate. "
        f"'Not enough data' before {rs.min_history_days} days of history or when under "
        f"{rs.coverage_floor:g} % of the last 28 days have a session.",
        "Clarsen et al. 2013, Silbernagel et al. 2007 (symptoms); Frandsen et al. 2025 "
        "(spike); Nielsen et al. 2014, Damsted et al. 2019 (weekly "
        "change); Gabbett 2016, Impellizzeri et al. 2020, Lolli et al. 2019, Wang et al. 2020 "
        "(acute:chronic ratio); Foster 1998 (monotony).",
        HEURISTIC_DISCLAIMER,
    )


EXPLANATIONS: Final[dict[str, Explanation]] = {
    "load": Explanation(
        "Session load (AU)",
        "RPE (0-10) x minutes (moving time where known). Without an RPE: estimated from the "
        "heart-rate reserve for endurance sessions when HR max and rest are known "
        "(ACSM intensity bands), else a default RPE per area. A day's load is the sum of its "
        "sessions; rest days are 0.",
        "Foster et al. 2001, J Strength Cond Res 15:109 (session-RPE); Garber et al. 2011 (ACSM "
        "intensity table) for the HR-based estimate.",
        "Estimated RPEs are rough; the column load_source says where each load came from. "
        "Sessions with implausible recorded times (a watch left running) are not counted.",
    ),
    "trimp": Explanation(
        "TRIMP (Banister)",
        "minutes x HRr x 0.64 x e^(1.92 x HRr) (women: 0.86 x e^(1.67 x HRr)), "
        "HRr = (avg HR - HR rest) / (HR max - HR rest).",
        "Banister 1991; Morton, Fitz-Clarke & Banister 1990, J Appl Physiol 69:1171.",
        "Needs HR max and HR rest; average HR under-reads strength and interval work. Shown "
        "beside the load, never added to it.",
    ),
    "acute_7d": Explanation(
        "Acute load (7 days)",
        "Mean daily load of the 7 days ending today (today included, rest days 0).",
        "Gabbett 2016, Br J Sports Med 50:273.",
        "Shown from the 7th day of data.",
    ),
    "chronic_28d": Explanation(
        "Chronic load (28 days)",
        "Mean daily load of the 28 days ending today (today included).",
        "Gabbett 2016; Hulin et al. 2014, Br J Sports Med 48:708.",
        "Shown from the 28th day of data.",
    ),
    "acwr_coupled": Explanation(
        "Acute:chronic ratio (rolling, coupled)",
        "Average daily load of the last 7 days divided by that of the last 28 days (which "
        "include those 7). Shown from the 28th day of data; 'no base yet' when the 28 days held "
        "no load. Bands: below 0.8 low, 0.8-1.3 usual, above 1.3 raised, above 1.5 high. It can "
        "never exceed 4.",
        "Gabbett 2016 (bands); Hulin et al. 2014.",
        _ACWR_CAVEAT,
    ),
    "chronic_21d": Explanation(
        "Chronic load (uncoupled, 21 days)",
        "Average daily load of the 21 days before the last 7 days (the usual load the recent "
        "week is compared with).",
        "Windt & Gabbett 2019, Br J Sports Med 53:988 (uncoupled ratio).",
        "Shown from the 28th day of data.",
    ),
    "acwr_uncoupled": Explanation(
        "Acute:chronic ratio (rolling, uncoupled)",
        "Average daily load of the last 7 days divided by that of the 21 days before them (the "
        "recent week is not part of the base). Shown from the 28th day of data. Bands: below "
        "0.8 low, 0.8-1.3 usual, above 1.3 raised, above 1.5 high.",
        "Windt & Gabbett 2019; Lolli et al. 2019, Br J Sports Med 53:921.",
        _ACWR_CAVEAT,
    ),
    "ewma_acute": Explanation(
        "Acute load (EWMA)",
        "An exponentially weighted average of daily load: each day counts 2/8 (25 %) and the "
        "previous average 75 %, starting from the first day's load.",
        "Williams et al. 2017, Br J Sports Med 51:209.",
        "Early values depend on the seed (the first day).",
    ),
    "ewma_chronic": Explanation(
        "Chronic load (EWMA)",
        "As the acute one, with each day counting 2/29 (about 7 %).",
        "Williams et al. 2017.",
        "Early values depend on the seed (the first day).",
    ),
    "acwr_ewma": Explanation(
        "Acute:chronic ratio (EWMA)",
        "The 7-day weighted average load divided by the 28-day one. Shown from the 28th day of "
        "data.",
        "Williams et al. 2017; Murray et al. 2017, Br J Sports Med 51:749.",
        _ACWR_CAVEAT,
    ),
    "monotony": Explanation(
        "Training monotony",
        "Average daily load of the last 7 days (rest days count as 0) divided by how much the "
        "days differ (their standard deviation). Identical days: no finite value; 7 rest days: "
        "none.",
        "Foster 1998, Med Sci Sports Exerc 30:1164 (warning above 2.0).",
        "High monotony matters together with a high load (see strain); a week of identical easy "
        "days is monotonous but light.",
    ),
    "strain": Explanation(
        "Training strain",
        "7-day load sum x monotony.",
        "Foster 1998.",
        "No published universal threshold; compare with your own history.",
    ),
    "ctl": Explanation(
        "Fitness (CTL)",
        "A slow average of daily load: each day moves it about 2.4 % (1 - e^(-1/42)) of the way "
        "towards that day's load; it starts at 0 on the day before the "
        "first day.",
        "Banister impulse-response model (Banister et al. 1975); Coggan's PMC (TrainingPeaks).",
        "A model of training stress, not a measured fitness; depends on the load units.",
    ),
    "atl": Explanation(
        "Fatigue (ATL)",
        "As CTL with a time constant of 7 days.",
        "Banister et al. 1975; Coggan's PMC.",
        "A model, not a measurement.",
    ),
    "tsb": Explanation(
        "Form (TSB)",
        "Yesterday's fitness minus yesterday's fatigue.",
        "Coggan's PMC (as in TrainingPeaks and Elevate).",
        "Strongly negative = carrying fatigue; positive = fresh (or detraining).",
    ),
    "ramp": Explanation(
        "Ramp rate",
        "CTL_d - CTL_(d-7): how much fitness rose in a week.",
        "Coggan's PMC.",
        "Depends on the load units; compare with your own history.",
    ),
    "run_km_7d": Explanation(
        "Running km (7 days)",
        "Running kilometres of the 7 days ending today (runs, trail, treadmill, track).",
        "Nielsen et al. 2014, J Orthop Sports Phys Ther 44:739.",
        "Distance only; pace and terrain are not weighed.",
    ),
    "run_km_change_pct": Explanation(
        "Weekly running-km change",
        "Running distance of the last 7 days against your usual week (the average week of the "
        "21 days before them), in %. Flagged above +30 %.",
        "Nielsen et al. 2014, J Orthop Sports Phys Ther 44:739 (novice runners, 2-week window); "
        "Damsted et al. 2019, Int J Sports Phys Ther.",
        "In Nielsen 2014 the association was not statistically significant, and Damsted 2019 "
        "found no clear safe progression: read it as a nudge, not a rule. Small weekly volumes "
        "give large percentages (weeks under 5 km are not flagged).",
    ),
    "spike_pct": Explanation(
        "Single-run spike",
        "How much longer a run was than your longest run of the 30 days before it, in %. "
        "Bands: up to +10 % none, +10-30 % small, +30-100 % moderate, over +100 % large. "
        "Before the next run: your longest of the last 30 days + 10 % is the distance that "
        "stays within your usual range.",
        "Frandsen et al. 2025, Br J Sports Med (single-session spikes and running injuries).",
        "An association in one large prospective cohort, not a prediction for you; no value "
        "when there was no run in the 30 days before.",
    ),
    "balance": Explanation(
        "Area balance",
        "Sessions and minutes per area over the last 28 days, sessions per week vs your weekly "
        "targets, and days since the last session of each area.",
        "Targets: WHO 2020 and ACSM (Garber et al. 2011) for strength, neuromotor and "
        "flexibility work; runner plyometric programmes (Saunders et al. 2006).",
        "Counts sessions, not their quality. A mixed session (say squats and box jumps) counts "
        "once, in its main area; its minutes are split across its areas.",
    ),
    "coverage": Explanation(
        "Data coverage",
        "Share of the last 28 days with any recorded session, and share of sessions with an RPE "
        "or heart rate. Below the floor the level reads 'not enough data'.",
        "Stridewise choice (floor 20 % of days).",
        "Missing uploads look like rest days and make every ratio look calmer or wilder than "
        "the training was.",
    ),
}
EXPLANATIONS["symptoms"] = Explanation(
    "Reported symptoms (niggles)",
    "A niggle is active from its onset day until the day it is marked resolved; each day uses "
    "its latest pain (0-10) and effect on training. Training modified or stopped, or pain "
    "4/10 or more: the level is at least moderate and this reason comes first. Below both: "
    "mentioned after the load reasons.",
    "Clarsen, Myklebust & Bahr 2013, Br J Sports Med 47:495 (OSTRC overuse injury "
    "questionnaire: reduced training = substantial problem); Thomee 1997, Phys Ther 77:1690 "
    "and Silbernagel et al. 2007, Am J Sports Med 35:897 (pain-monitoring model).",
    "Only what you report counts; the level says nothing about what the problem is. Persistent "
    "or worsening pain belongs with a clinician.",
)
EXPLANATIONS["risk_level"] = risk_level_explanation()  # with the default thresholds
EXPLANATIONS["acwr"] = EXPLANATIONS["acwr_uncoupled"]  # replaced per setting by ratio_explanation
EXPLANATIONS["hr_profile"] = Explanation(
    "Heart-rate profile",
    "The heart-rate reserve (avg HR - resting HR) / (HR max - resting HR) turns a session's "
    "average heart rate into an effort (RPE). Without HR max and resting HR the effort falls "
    "back to a default per area.",
    "Karvonen et al. 1957 (heart-rate reserve); Garber et al. 2011 (ACSM intensity table).",
    "Estimated values (highest heart rate seen in 12 months, a typical resting value) are rough; "
    "a measured maximum and a morning resting pulse are better.",
)

#: One plain sentence per signal for a runner (the first layer; the Explanation is the second).
PLAIN: Final[dict[str, str]] = {
    "spike_pct": "Compares each run with your longest run of the previous 30 days.",
    "run_km_change_pct": "Compares your running distance of the last 7 days with your usual "
                         "week (the 3 weeks before).",
    "acwr": "Compares your load of the last 7 days with your usual load.",
    "monotony": "Says whether your days are all alike or mix hard and easy.",
    "balance": "Counts the days since your last session of each training area.",
    "coverage": "Checks that enough days are recorded to say anything.",
    "load": "Says how the session loads were worked out.",
    "hr_profile": "Heart-rate based loads need your maximum and resting heart rate.",
    "symptoms": "A niggle you reported: pain, or training changed because of it.",
}


def ratio_explanation(metric: str) -> Explanation:
    """The explanation of the acute:chronic ratio chosen in the settings."""
    return EXPLANATIONS[{"coupled": "acwr_coupled", "uncoupled": "acwr_uncoupled",
                         "ewma": "acwr_ewma"}.get(metric, "acwr_uncoupled")]
