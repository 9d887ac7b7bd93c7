"""Activity-type names from every export language -> the normalised sports of ``schema.SPORTS``.

Exports name the same sport in many ways: Strava types (``Run``, ``VirtualRun``,
``WeightTraining``, ``Weight Training``), Garmin Connect types in the account language
(``Treadmill Running``, ``Laufbandtraining``, ``Løb terræn``, ``Natação em piscina``,
``Erősítő edzés``), localised Strava types (``Hardloopsessie``, ``Corsa``), other apps
(``Indoor Run / Jog``, ``Functional Fitness``, ``HKWorkoutActivityTypeRunning``).

:func:`normalise_sport` first looks the name up in a table of exact names (compared without
case, accents, spaces and punctuation), then tries the word rules of
``data/vocab/activity_types.csv`` (the names Garmin Connect and Strava use in Swedish,
Norwegian, Finnish, Polish, Czech, Russian, Japanese, Chinese, Korean, Turkish and more, with
their source), then looks for the longest known name inside it ("Chạy bộ trên máy chạy bộ"
holds "máy chạy bộ"), then falls back to keyword rules (``... Laufen ...`` -> run, ``... Schwimmen ...``
-> swim), and finally answers ``"other"``. Numeric type codes
(GPX ``<type>9</type>``, Zepp sport codes) are source-specific and are not guessed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd

from stridewise.schema import SPORTS
from stridewise.termmatch import Matcher, Term
from stridewise.vocab import read_vocab, words

__all__ = ["normalise_sport", "normalise_sports", "sport_key", "title_or_type"]

def sport_key(text: object) -> str:
    """Folded (:func:`stridewise.vocab.fold`), single-spaced words of ``text`` ("" for non-text/NaN);
    letters of every script are kept (``Бег``, ``跑步``)."""
    if not isinstance(text, str):
        return ""
    t = re.sub(r"<[^>]*>", " ", text)  # raw HTML that some exports leave in cells
    return " ".join(words(t, split_camel=False))


def _compact(key: str) -> str:
    return key.replace(" ", "")


# Exact names (compared via their compact key: no case, accents, spaces or punctuation).
_EXACT_SOURCE: Final[dict[str, tuple[str, ...]]] = {
    "run": (
        # English / Strava / Garmin / apps
        "Run", "Running", "Street Running", "Ultra Running", "Ultra Run", "Jogging", "Jog",
        "Outdoor Run", "Road Running", "RUNNING", "Run/Jog",
        # German, Danish, French, Spanish, Italian, Dutch, Hungarian, Portuguese
        "Laufen", "Lauf", "Straßenlauf", "Løb", "Løbetur", "Course à pied", "Course",
        "Carrera", "Correr", "Corsa", "Hardloopsessie", "Hardlopen", "Futás", "Corrida",
        "Ultramarathon", "Ultralauf", "Ultraløb", "Ultra futás",
    ),
    "trail_run": (
        "TrailRun", "Trail Running", "Trail Run", "Trail", "Traillauf", "Trailrunning",
        "Løb terræn", "Terrænløb", "Course sur sentier", "Trail running", "Carrera por montaña",
        "Corsa su sentiero", "Corsa in montagna", "Trailrun", "Terepfutás", "Terep futás",
        "Corrida em trilhas", "Corrida em trilha", "Trilha",
    ),
    "treadmill_run": (
        "Treadmill Running", "Treadmill", "Treadmill Run", "Indoor Running", "Indoor Run",
        "Indoor Run / Jog", "Laufbandtraining", "Laufband", "Indoor-Laufen", "Løbebånd",
        "Indendørs løb", "Course sur tapis", "Course à pied en salle", "Tapis de course",
        "Entrenamiento en cinta", "Carrera en cinta", "Cinta", "Corsa sul tapis roulant",
        "Tapis roulant", "Loopband", "Hardlopen op loopband", "Beltéri futás",
        "Futópados futás", "Futópad", "Corrida em esteira", "Esteira",
    ),
    "track_run": (
        "Track Running", "Track Run", "Indoor Track", "Laufen auf der Bahn", "Bahnlauf",
        "Baneløb", "Course sur piste", "Carrera en pista", "Corsa su pista", "Baanlopen",
        "Pályafutás", "Teremfutás", "Corrida na pista", "Corrida em pista",
    ),
    "virtual_run": (
        "VirtualRun", "Virtual Run", "Virtual Running", "Virtueller Lauf", "Virtuelt løb",
        "Course virtuelle", "Carrera virtual", "Corsa virtuale", "Virtuele hardloopsessie",
        "Virtuális futás", "Corrida virtual",
    ),
    "walk": (
        "Walk", "Walking", "Casual Walking", "Speed Walking", "Indoor Walking", "Gehen",
        "Spazieren", "Spaziergang", "Walken", "Nordic Walking", "Gang", "Gåtur", "Marche",
        "Marche nordique", "Caminar", "Caminata", "Marcha", "Camminata", "Passeggiata",
        "Wandeling", "Wandelen", "Gyaloglás", "Séta", "Caminhada", "Walking (indoor)",
    ),
    "hike": (
        "Hike", "Hiking", "Hiking/Rucking", "Rucking", "Snowshoe", "Snowshoeing",
        "Mountaineering", "Wandern", "Bergsteigen", "Schneeschuhwandern", "Vandring",
        "Vandretur", "Randonnée", "Randonnée pédestre", "Raquettes", "Senderismo",
        "Excursionismo", "Raquetas de nieve", "Escursione", "Escursionismo",
        "Racchette da neve", "Wandeltocht", "Hiken", "Bergwandelen", "Túrázás", "Túra",
        "Trekking", "Caminhada na trilha", "Raquetes de neve",
    ),
    "ride": (
        "Ride", "Cycling", "Road Cycling", "Road Bike", "Bike", "Bike Ride", "Biking",
        "Cyclocross", "Bike Commute", "Velomobile", "Handcycle", "Radfahren", "Rennrad",
        "Radfahren (Straße)", "Straßenradfahren", "Cykling", "Landevejscykling", "Cyclisme",
        "Vélo", "Vélo de route", "Cyclisme sur route", "Ciclismo", "Ciclismo de carretera",
        "Ciclismo en carretera", "Giro in bici", "Bici", "Ciclismo su strada", "Fietsrit",
        "Fietsen", "Wielrennen", "Kerékpározás", "Országúti kerékpározás",
        "Ciclismo em estradas", "Ciclismo de estrada", "Pedalada", "CYCLING",
    ),
    "virtual_ride": (
        "VirtualRide", "Virtual Ride", "Virtual Cycling", "Indoor Cycling", "Spin", "Spinning",
        "Indoor Bike", "Stationary Bike", "Indoor-Radfahren", "Indoor Radfahren",
        "Virtuelles Radfahren", "Indendørs cykling", "Virtuel cykling", "Cyclisme en salle",
        "Vélo d'intérieur", "Cyclisme virtuel", "Ciclismo en sala", "Ciclismo virtual",
        "Ciclismo indoor", "Ciclismo virtuale", "Virtuele fietsrit", "Indoor fietsen",
        "Szobakerékpározás", "Virtuális kerékpározás", "Beltéri kerékpározás",
        "Ciclismo em local fechado", "Ciclismo indoor",
    ),
    "mountain_bike": (
        "MountainBikeRide", "Mountain Biking", "Mountain Bike", "MTB", "Mountainbike",
        "Mountainbiken", "Mountainbiking", "VTT", "Vélo tout terrain", "Ciclismo de montaña",
        "Mountain bike", "Mountainbikerit", "Hegyi kerékpározás", "Ciclismo na montanha",
        "Mountain bike ride", "Downhill Biking",
    ),
    "gravel_ride": (
        "GravelRide", "Gravel Ride", "Gravel Cycling", "Gravel/Unpaved Cycling",
        "Gravel-Radfahren", "Cykling på grusveje", "Cyclisme sur gravier", "Ciclismo gravel",
        "Ciclismo en gravilla", "Gravelrit", "Gravel kerékpározás", "Ciclismo em cascalho",
    ),
    "e_bike": (
        "EBikeRide", "EMountainBikeRide", "E-Bike Ride", "E-Bike", "eBike", "E-Biking",
        "E-Mountain Bike", "E-Bike-Fahrt", "Vélo électrique", "Bicicleta eléctrica",
        "Bici elettrica", "E-bike rit", "Elektromos kerékpározás", "Bicicleta elétrica",
    ),
    "swim": (
        "Swim", "Swimming", "Pool Swimming", "Pool Swim", "Lap Swimming", "Schwimmen",
        "Schwimmbadschwimmen", "Beckenschwimmen", "Svømning", "Svøm i pool", "Poolsvømning",
        "Natation", "Natation en piscine", "Natación", "Natación en piscina", "Nuoto",
        "Nuotata", "Nuoto in piscina", "Zwemmen", "Zwemsessie", "Zwemmen in zwembad",
        "Úszás", "Medencés úszás", "Natação", "Natação em piscina",
    ),
    "open_water_swim": (
        "Open Water Swimming", "Open Water Swim", "Freiwasserschwimmen", "Svømning i åbent vand",
        "Natation en eau libre", "Natación en aguas abiertas", "Nuoto in acque libere",
        "Openwaterzwemmen", "Nyíltvízi úszás", "Natação em alto mar",
        "Natação em águas abertas",
    ),
    "row": (
        "Rowing", "Row", "Indoor Rowing", "Rowing Machine", "Canoeing", "Kayaking", "Kayak",
        "Canoe", "Stand Up Paddling", "StandUpPaddling", "Stand Up Paddleboarding",
        "Paddling", "Rudern", "Indoor-Rudern", "Kanu", "Kajak", "Roning", "Indendørs roning",
        "Aviron", "Aviron en salle", "Canoë", "Remo", "Remo indoor", "Canottaggio",
        "Canoa", "Roeien", "Indoor roeien", "Kanovaren", "Evezés", "Beltéri evezés",
        "Remo em local fechado",
    ),
    "ski": (
        "AlpineSki", "Alpine Ski", "Alpine Skiing", "BackcountrySki", "Backcountry Skiing",
        "Resort Skiing", "Resort Skiing/Snowboarding", "Resort Snowboarding", "Skiing",
        "Snowboard", "Snowboarding", "Ski Touring", "Ski", "Ski Alpin", "Skifahren",
        "Skitour", "Skitouren", "Alpint skiløb", "Ski alpin", "Ski de randonnée",
        "Esquí", "Esquí alpino", "Esquí de travesía", "Sci alpino", "Sci alpinismo", "Sci",
        "Skiën", "Alpineskiën", "Síelés", "Alpesi síelés", "Esqui", "Esqui alpino",
        "Winter Sport / Activity",
    ),
    "nordic_ski": (
        "NordicSki", "Nordic Ski", "Nordic Skiing", "Cross Country Skiing",
        "Cross Country Classic Skiing", "Cross Country Skate Skiing", "Skate Skiing",
        "XC Ski", "XC-Ski", "Rollerski", "Roller Ski", "Skilanglauf", "Langlauf", "Langrend",
        "Ski de fond", "Esquí de fondo", "Sci nordico", "Sci di fondo", "Langlaufen",
        "Sífutás", "Esqui cross-country", "Esqui de fundo",
    ),
    "skate": (
        "IceSkate", "Ice Skate", "Ice Skating", "InlineSkate", "Inline Skate", "Inline Skating",
        "Skating", "Skateboard", "Eislaufen", "Inlineskaten", "Skøjteløb", "Patinage",
        "Patinaje", "Pattinaggio", "Schaatsen", "Korcsolyázás", "Patinação",
    ),
    "elliptical": (
        "Elliptical", "Elliptical Trainer", "Crosstrainer", "Ellipsentrainer",
        "Crosstrainer (Ellipse)", "Elliptisk", "Crosstræner", "Elliptique", "Elíptica",
        "Elíptico", "Ellittica", "Ellipstrainer", "Elliptikus tréner", "Ellipszis tréner",
    ),
    "stair": (
        "StairStepper", "Stair Stepper", "Stair Climbing", "Stairs", "Floor Climbing",
        "Stepper", "Treppensteigen", "Trappetræning", "Trappemaskine", "Escaliers",
        "Escaleras", "Scale", "Traplopen", "Lépcsőzés", "Escada",
    ),
    "strength": (
        "WeightTraining", "Weight Training", "Strength Training", "Strength",
        "Traditional Strength Training", "Functional Strength Training", "Weightlifting",
        "Weight Lifting", "Powerlifting", "Bodybuilding", "Krafttraining", "Kraft",
        "Styrketræning", "Styrke", "Musculation", "Renforcement musculaire",
        "Entreno de fuerza", "Entrenamiento de fuerza", "Fuerza", "Allenamento con i pesi",
        "Allenamento di forza", "Pesi", "Krachttraining", "Gewichtheffen", "Erősítő edzés",
        "Súlyzós edzés", "Treino de força", "Musculação", "Treinamento de força",
        "Barre",
        # circuits of exercises with weights or body weight: strength work
        "Circuit Training", "Zirkeltraining", "Circuittræning", "Entrenamiento en circuito",
        "Circuittraining", "Kredsløbstræning", "Cirkelträning", "Sirkeltrening",
        "Kiertoharjoittelu", "Trening obwodowy", "Kruhový trénink", "Köredzés",
        "Allenamento a circuito", "Treino em circuito", "Entraînement en circuit",
        "Круговая тренировка", "Calisthenics", "Kettlebell", "Functional Training",
        # CrossFit: barbell, gymnastics and conditioning; a strength session by its content
        "CrossFit", "Crossfit",
    ),
    "yoga": ("Yoga", "Joga", "Jóga", "Ioga", "Hot Yoga"),
    "pilates": ("Pilates",),
    "hiit": (
        "HIIT", "High Intensity Interval Training",
        "Functional Fitness", "Bootcamp", "Boot Camp", "Kickboxing", "Boxing", "Tabata",
    ),
    "cardio": (
        "Cardio", "Kardio", "Kardió", "Indoor Cardio", "Mixed Cardio", "Machine Workout",
        "Cardio Training", "Aerobics", "Dance", "Dancing",
        "Tanzen", "Cardio-Training",
    ),
    "stretching": (
        "Stretching", "Stretch", "Flexibility", "Dehnen", "Dehnübungen", "Udstrækning",
        "Étirements", "Estiramientos", "Stretching", "Rekken", "Nyújtás", "Alongamento",
        "Cooldown",
    ),
    "mobility": ("Mobility", "Mobilität", "Mobilitet", "Mobilité", "Movilidad", "Mobilità",
                 "Mobiliteit", "Mobilitás", "Mobilidade", "Foam Rolling"),
    "climb": (
        "RockClimbing", "Rock Climbing", "Climbing", "Indoor Climbing", "Bouldering",
        "Klettern", "Bouldern", "Klatring", "Escalade", "Escalada", "Arrampicata",
        "Klimmen", "Boulderen", "Mászás", "Falmászás",
    ),
    "team_sport": (
        "Soccer", "Football (Soccer)", "Football", "Basketball", "Volleyball", "Handball",
        "Hockey", "Ice Hockey", "Field Hockey", "Rugby", "Ultimate", "Lacrosse", "Baseball",
        "Softball", "Cricket", "American Football", "Fußball", "Fodbold", "Fútbol",
        "Calcio", "Voetbal", "Labdarúgás", "Foci", "Futebol", "Pallavolo", "Vôlei",
    ),
    "racket_sport": (
        "Tennis", "Badminton", "Squash", "Padel", "Pickleball", "Racquetball", "Table Tennis",
        "TableTennis", "Tischtennis", "Bordtennis", "Tennis de table", "Tenis", "Pádel",
        "Ping pong", "Tenis de mesa", "Tennistavolo", "Tafeltennis", "Tenisz", "Asztalitenisz",
        "Tênis", "Tênis de mesa",
    ),
    "multisport": (
        "Multisport", "Multi Sport", "Triathlon", "Duathlon", "Brick", "Multideporte",
        "Multiesporte", "Multisportivo", "Multisportif", "Triatlón", "Triatlon", "Triatlo",
        "Swimrun",
    ),
    "other": (
        "Other", "Workout", "Generic", "Activity", "Incident Detected", "Day Off",
        "Gym & Fitness Equipment", "Fitness Equipment", "Breathwork", "Légzőgyakorlat",
        "Atemübung", "Yard Work", "Manual Labor", "Gaming", "Disc Golf", "Golf",
        "Andere", "Sonstige", "Andet", "Autre", "Otro", "Altro", "Overig", "Overige",
        "Egyéb", "Outro", "Training", "Allenamento", "Entrenamiento", "Treino",
        "Entraînement", "Edzés", "Sail", "Surfing", "Kitesurf", "Windsurf", "Wheelchair",
    ),
}


def _build_exact() -> dict[str, str]:
    table: dict[str, str] = {}
    for sport, names in _EXACT_SOURCE.items():
        if sport not in SPORTS:  # pragma: no cover - guards the table itself
            raise ValueError(f"unknown sport {sport!r} in the sport table")
        for name in names:
            table.setdefault(_compact(sport_key(name)), sport)
    for row in _VOCAB:
        if row["match"] == "exact":
            table.setdefault(_compact(sport_key(row["name"])), row["sport"])
    return table


def _load_vocab() -> tuple[dict[str, str], ...]:
    rows = read_vocab("activity_types.csv")
    for row in rows:
        if row["sport"] not in SPORTS or row["match"] not in _MATCH_KINDS:
            raise ValueError(f"bad row in activity_types.csv: {row}")  # pragma: no cover
    return tuple(rows)


_MATCH_KINDS: Final = ("exact", "word", "prefix", "suffix", "contains")
#: Localised activity-type names (``data/vocab/activity_types.csv``: Garmin Connect and Strava
#: names in Swedish, Norwegian, Finnish, Polish, Czech, Russian, Japanese, Chinese, Korean, ...).
_VOCAB: Final = _load_vocab()
#: Word rules from the same file, in file order: (kind, folded stem, sport).
_STEMS: Final[tuple[tuple[str, str, str], ...]] = tuple(
    (r["match"], sport_key(r["name"]).replace(" ", ""), r["sport"])
    for r in _VOCAB if r["match"] != "exact")


def _stem_sport(key: str) -> str | None:
    """The sport of the first word rule of ``activity_types.csv`` that ``key`` satisfies."""
    toks = key.split()
    # Arabic writes the article into the word ("السباحة" is "the swimming")
    toks += [w[2:] for w in toks if w.startswith("\u0627\u0644") and len(w) > 4]
    for kind, stem, sport in _STEMS:
        if kind == "contains":
            if stem in key.replace(" ", ""):
                return sport
            continue
        for w in toks:
            if w == stem or (kind == "prefix" and w.startswith(stem)) or (
                    kind == "suffix" and w.endswith(stem) and len(w) > len(stem) + 2):
                return sport
    return None


_EXACT: Final[dict[str, str]] = _build_exact()


@lru_cache(maxsize=1)
def _phrases() -> Matcher:
    """A :class:`stridewise.termmatch.Matcher` over every exact name (built-in table and
    ``activity_types.csv``), the term's area holding the sport."""
    terms = [Term(r["name"], r["sport"], "hint", r["lang"]) for r in _VOCAB
             if r["match"] == "exact" and r["sport"] != "other"]
    terms += [Term(n, sport, "hint") for sport, names in _EXACT_SOURCE.items()
              if sport != "other" for n in names]
    return Matcher(terms)


def _phrase_sport(key: str) -> str | None:
    """The sport of the longest known name inside ``key`` ("Chạy bộ trên máy chạy bộ" holds
    "máy chạy bộ", a treadmill; "Brzo trčanje" holds "trčanje"): names that add words to a
    known type name. Ties go to the first found."""
    found = _phrases().find(key)
    if not found:
        return None
    best = max(found, key=lambda m: (m.end - m.start, len(m.text), -m.start))
    return best.term.area

# Keyword rules, tried in order on the spaced key; the first match wins.
_RUN = (r"(run\w*|jog\w*|lauf\w*|lob\w*|course a pied|carrera|correr|cors[ao]|hardlo\w*|"
        r"futas|corrida)")
_RULES: Final[tuple[tuple[str, str], ...]] = (
    (r"hkworkoutactivitytype", ""),  # handled in normalise_sport (prefix stripped)
    (r"\b(triathlon|duathlon|multi ?sport|multideporte|multiesporte|brick|swimrun)\b",
     "multisport"),
    (r"\b(treadmill|laufband\w*|lobebaand|tapis|cinta|esteira|loopband|futopad\w*)\b",
     "treadmill_run"),
    (r"\b(indoor|indendors|beltéri|belteri|en salle|em local fechado)\b.*\b" + _RUN + r"\b",
     "treadmill_run"),
    (r"\b(virtual\w*|virtuel\w*|virtuale|virtualis)\b.*\b" + _RUN + r"\b", "virtual_run"),
    (r"\b" + _RUN + r"\b.*\b(virtual\w*|virtuale|virtuel\w*)\b", "virtual_run"),
    (r"\b(trail\w*|terr\w*n|sentier|montana|montagna|trilhas?|terep\w*)\b.*\b" + _RUN + r"\b",
     "trail_run"),
    (r"\b" + _RUN + r"\b.*\b(trail\w*|terr\w*n|sentier|montana|montagna|trilhas?|terep\w*)\b",
     "trail_run"),
    (r"\b(track|bahn|piste|pista|baan|palya\w*)\b.*\b" + _RUN + r"\b", "track_run"),
    (r"\b" + _RUN + r"\b.*\b(track|bahn|piste|pista|baan)\b", "track_run"),
    (r"\b(open water|freiwasser\w*|aabent vand|eau libre|aguas abiertas|acque libere|"
     r"alto mar|aguas abertas|nyiltvizi|openwater)\b", "open_water_swim"),
    (r"\b(swim\w*|schwimm\w*|svom\w*|natation|natacion|nuot\w*|zwem\w*|uszas|natacao)\b",
     "swim"),
    (r"\b(e ?bike\w*|e mountain\w*|elektr\w*)\b", "e_bike"),
    (r"\b(gravel\w*|grus\w*|gravier|cascalho|gravilla)\b", "gravel_ride"),
    (r"\b(mountain ?bik\w*|mtb|vtt|mountainbik\w*|hegyi)\b", "mountain_bike"),
    (r"\b(indoor|indendors|en salle|en sala|local fechado|spin\w*|szoba\w*|virtual\w*|"
     r"virtuel\w*|stationary|trainer)\b.*\b(cycl\w*|bik\w*|ride|rad\w*|cykl\w*|ciclismo|"
     r"velo|kerekpar\w*|fiets\w*)\b", "virtual_ride"),
    (r"\b(cycl\w*|bik\w*|ride|rad\w*|cykl\w*|ciclismo|velo|kerekpar\w*|fiets\w*|"
     r"pedal\w*|wielren\w*)\b", "ride"),
    (r"\b(nordic|langlauf\w*|langrend|de fond|nordico|di fondo|cross country|sifutas|"
     r"xc|rollerski|de fundo)\b", "nordic_ski"),
    (r"\b(ski\w*|sci|esqui\w*|snowboard\w*|sieles)\b", "ski"),
    (r"\b(skat\w*|eislauf\w*|patin\w*|schaats\w*|korcsolya\w*)\b", "skate"),
    (r"\b(ellip\w*|crosstrain\w*|crosstraener)\b", "elliptical"),
    (r"\b(stair\w*|trepp\w*|trappe\w*|escal\w*|lepcso\w*|stepper)\b", "stair"),
    (r"\b(row\w*|ruder\w*|roning|aviron|remo|canottaggio|roei\w*|evezes|kayak\w*|canoe\w*|"
     r"paddl\w*|kajak)\b", "row"),
    (r"\b(climb\w*|boulder\w*|kletter\w*|klatr\w*|escalad\w*|arrampic\w*|klimm\w*)\b",
     "climb"),
    (r"\b(yoga|joga|ioga)\b", "yoga"),
    (r"\bpilates\b", "pilates"),
    (r"\b(circuit\w*|zirkel\w*|kettlebell\w*|calisthenic\w*|functional training)\b",
     "strength"),
    (r"\bcrossfit\b", "strength"),
    (r"\b(hiit|tabata|bootcamp|functional fitness)\b", "hiit"),
    (r"\b(strength|weight\w*|kraft\w*|styrke\w*|fuerza|forca|force|muscula\w*|pesi|"
     r"kracht\w*|erosit\w*|eronleti|sulyzo\w*|lifting|powerlift\w*|gym)\b", "strength"),
    (r"\b(stretch\w*|dehn\w*|udstraek\w*|etirement\w*|estiramiento\w*|rekken|nyujtas|"
     r"alongamento|flexib\w*)\b", "stretching"),
    (r"\b(mobili\w*|movilidad|foam roll\w*)\b", "mobility"),
    (r"\b(cardio|kardio|aerobic\w*)\b", "cardio"),
    (r"\b(hik\w*|wander\w*|vandr\w*|randonnee|senderism\w*|escursion\w*|turaz\w*|trek\w*|"
     r"snowshoe\w*|ruck\w*)\b", "hike"),
    (r"\b(walk\w*|geh\w*|spazier\w*|gang|gatur|marche|camina\w*|camminat\w*|wandel\w*|"
     r"gyalog\w*|caminhada|andar)\b", "walk"),
    (r"\b" + _RUN + r"\b", "run"),
    (r"\b(soccer|football|fussball|fodbold|futbol|calcio|voetbal|futebol|basketball|"
     r"volleyball|handball|hockey|rugby|ultimate)\b", "team_sport"),
    (r"\b(tennis|badminton|squash|padel|pickleball|racquetball|tenis\w*|ping pong)\b",
     "racket_sport"),
)
_COMPILED: Final = tuple((re.compile(p), s) for p, s in _RULES if s)

# German/Danish/Dutch compound words end in the sport ("Nachmittagslauf", "Bergwandern").
_SUFFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("laufbandtraining", "treadmill_run"), ("schwimmen", "swim"), ("svomning", "swim"),
    ("zwemmen", "swim"), ("wandern", "hike"), ("wanderung", "hike"), ("radfahren", "ride"),
    ("radtour", "ride"), ("fietstocht", "ride"), ("krafttraining", "strength"),
    ("styrketraening", "strength"), ("krachttraining", "strength"), ("lauf", "run"),
    ("laufen", "run"), ("lob", "run"), ("lobetur", "run"), ("loop", "run"),
    ("spaziergang", "walk"), ("wandeling", "walk"),
)


@lru_cache(maxsize=4096)
def _normalise_key(key: str) -> str:
    if not key:
        return "other"
    key = re.sub(r"^hkworkoutactivitytype ?", "", key)
    # Garmin Connect type keys carry version tags ("windsurfing_v2", "snow_shoe_ws")
    key = re.sub(r"(?: v\d+| ws)+$", "", key) or key
    # Apple's camel-case names (HKWorkoutActivityTypeTraditionalStrengthTraining) arrive as
    # one word; the exact table is compared without spaces, so they still match.
    hit = _EXACT.get(_compact(key))
    if hit is not None:
        return hit
    if key.isdigit():
        return "other"
    hit = _stem_sport(key)
    if hit is not None:
        return hit
    hit = _phrase_sport(key)
    if hit is not None:
        return hit
    for rx, sport in _COMPILED:
        if rx.search(key):
            return sport
    for word in key.split():
        for suffix, sport in _SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                return sport
    return "other"


def normalise_sport(text: object) -> str:
    """The normalised sport (one of ``schema.SPORTS``) for an activity-type name.

    Works for names in English, German, French, Spanish, Italian, Dutch, Danish, Hungarian and
    Portuguese (built-in table) and the some forty languages of ``activity_types.csv``,
    Strava's CamelCase types and Garmin's type names; unknown names, empty cells and numeric
    codes give ``"other"``.

    >>> normalise_sport("Laufbandtraining"), normalise_sport("VirtualRun")
    ('treadmill_run', 'virtual_run')
    """
    if isinstance(text, str) and text.strip().casefold().startswith("hkworkoutactivitytype"):
        text = _split_camel(text.strip()[len("HKWorkoutActivityType"):])
    return _normalise_key(sport_key(text))


def _split_camel(text: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)


def normalise_sports(values: Iterable[object] | pd.Series) -> pd.Series:
    """:func:`normalise_sport` for many values at once (each distinct name is looked up once)."""
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    # Missing values share one code (they all normalise to "other").
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    table = np.array([normalise_sport(u) for u in uniques], dtype=object)
    return pd.Series(table[codes], index=s.index, dtype="str", name=s.name)


def title_or_type(titles: Iterable[object] | pd.Series | None,
                  types: Iterable[object] | pd.Series,
                  sports: pd.Series | None = None) -> pd.Series:
    """The session titles, with the activity-type text kept where the type is unknown.

    An export may name the activity only in its type cell ("push-ups", "Tyngdlyftning",
    "平板支撑", "Stepmaskine") and leave the title empty. When the type normalises to
    ``"other"`` (``sports``, computed with :func:`normalise_sports` when not given) the raw
    type text would be lost; it becomes the title of an untitled session instead, so the
    classifier reads it with the title and exercise vocabularies and the review page shows
    what the export said. Titles that exist are kept as written (stripped).
    """
    t = types if isinstance(types, pd.Series) else pd.Series(list(types), dtype=object)
    raw = t.astype(object).where(t.notna(), "").astype(str).str.strip()
    if titles is None:
        title = pd.Series("", index=raw.index, dtype="str")
    else:
        tt = titles if isinstance(titles, pd.Series) else pd.Series(list(titles), dtype=object)
        title = tt.astype(object).where(tt.notna(), "").astype(str).str.strip()
        title.index = raw.index
    sp = normalise_sports(t) if sports is None else pd.Series(
        np.asarray(sports, dtype=object), index=raw.index)
    use = title.eq("") & raw.ne("") & sp.eq("other").to_numpy()
    return title.where(~use, raw).astype("str")
