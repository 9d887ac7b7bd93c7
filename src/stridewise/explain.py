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

__all__ = ["Explanation", "EXPLANATIONS", "HEURISTIC_DISCLAIMER", "risk_level_explanation"]


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
    "al. 2019, Br J Sports Med). Pain, illness, sleep and life stress are not in the data: listen "
    "to your body and to your coach or clinician."
)

_ACWR_CAVEAT: Final[str] = (
    "Contested: ratios of a quantity to itself are mathematically coupled, the 'sweet spot' "
    "bands come from team sports, and the link to injury may be a statistical artefact "
    "(Impellizzeri et al. 2020; Lolli et al. 2019). Read it as a description of how your recent "
    "week compares with your last month, not as an injury probability."
)

def risk_level_explanation(rs: RiskSettings | None = None) -> Explanation:
    """How the level is decided, with the thresholds in ``rs`` (default: the shipped ones)."""
    rs = rs or RiskSettings()
    return Explanation(
        "Injury-risk heuristic",
        f"high if any high sign (acute:chronic above {rs.acwr_very_high:g}, a run over "
        f"{rs.spike_large:g} % longer than your longest in the previous 30 days, within the last "
        f"{rs.spike_days} days); moderate if any moderate sign (ratio above {rs.acwr_high:g}, "
        f"training again after 3+ weeks off, monotony above {rs.monotony_high:g}, running km up "
        f"over {rs.run_km_increase_pct:g} % on the previous 3 weeks, a run "
        f"{rs.spike_small:g}-{rs.spike_large:g} % longer); else low. Mentioned without raising "
        f"the level: a ratio below {rs.acwr_low:g}, no work in an area you train for over "
        f"{rs.days_without_area} days, loads estimated without RPE or heart rate. 'not enough "
        f"data' before {rs.min_history_days} days of history or when under "
        f"{rs.coverage_floor:g} % of the last 28 days have a session.",
        "Gabbett 2016; Foster 1998; Nielsen et al. 2014; Frandsen et al. 2025.",
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
        "acute_7d / chronic_28d; the 28 days include the acute week. NaN before day 28; "
        "x/0 = infinite ('no base yet'), 0/0 = NaN. Bands: below 0.8 low, 0.8-1.3 usual, above "
        "1.3 raised, above 1.5 high. Can never exceed 4.",
        "Gabbett 2016 (bands); Hulin et al. 2014.",
        _ACWR_CAVEAT,
    ),
    "chronic_21d": Explanation(
        "Chronic load (uncoupled, 21 days)",
        "Mean daily load of days t-27 ... t-7, i.e. the 21 days before the acute week.",
        "Windt & Gabbett 2019, Br J Sports Med 53:988 (uncoupled ratio).",
        "Shown from the 28th day of data.",
    ),
    "acwr_uncoupled": Explanation(
        "Acute:chronic ratio (rolling, uncoupled)",
        "acute_7d / chronic_21d (the acute week is not part of the chronic window).",
        "Windt & Gabbett 2019; Lolli et al. 2019, Br J Sports Med 53:921.",
        _ACWR_CAVEAT,
    ),
    "ewma_acute": Explanation(
        "Acute load (EWMA)",
        "EWMA_t = lambda x load_t + (1 - lambda) x EWMA_(t-1), lambda = 2/(7+1), seeded with the "
        "first day's load.",
        "Williams et al. 2017, Br J Sports Med 51:209.",
        "Early values depend on the seed (the first day).",
    ),
    "ewma_chronic": Explanation(
        "Chronic load (EWMA)",
        "As the acute EWMA with lambda = 2/(28+1).",
        "Williams et al. 2017.",
        "Early values depend on the seed (the first day).",
    ),
    "acwr_ewma": Explanation(
        "Acute:chronic ratio (EWMA)",
        "ewma_acute / ewma_chronic; NaN before day 28.",
        "Williams et al. 2017; Murray et al. 2017, Br J Sports Med 51:749.",
        _ACWR_CAVEAT,
    ),
    "monotony": Explanation(
        "Training monotony",
        "Mean / sample SD (ddof 1) of the 7 daily loads ending today, rest days included. "
        "SD 0: infinite when the mean is above 0, NaN when all 7 days are 0.",
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
        "CTL_d = CTL_(d-1) + (load_d - CTL_(d-1)) x (1 - e^(-1/42)); 0 on the day before the "
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
        "TSB_d = CTL_(d-1) - ATL_(d-1): yesterday's fitness minus yesterday's fatigue.",
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
        "100 x (run_km_7d / (running km of days t-27 ... t-7 / 3) - 1): this week vs the mean "
        "week of the 3 weeks before. Flagged above +30 %.",
        "Nielsen et al. 2014 (novice runners: over 30 % a week linked to distance-related "
        "injuries).",
        "The 10 %/30 % rules come from observational studies; small weekly volumes give large "
        "percentages (changes under 5 km a week are not flagged).",
    ),
    "spike_pct": Explanation(
        "Single-run spike",
        "100 x (the day's longest run / the longest run of the 30 days before it - 1). Bands: "
        "up to +10 % none, +10-30 % small, +30-100 % moderate, over +100 % large.",
        "Frandsen et al. 2025, Br J Sports Med (single-session spikes and running injuries).",
        "Observational association in one large cohort; NaN when there was no run in the 30 "
        "days before.",
    ),
    "balance": Explanation(
        "Area balance",
        "Sessions and minutes per area over the last 28 days, sessions per week vs your weekly "
        "targets, and days since the last session of each area.",
        "Targets: WHO 2020 and ACSM (Garber et al. 2011) for strength, neuromotor and "
        "flexibility work; runner plyometric programmes (Saunders et al. 2006).",
        "Counts sessions, not their quality; a session may count in two areas when its sets "
        "are mixed.",
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
EXPLANATIONS["risk_level"] = risk_level_explanation()  # with the default thresholds
