"""Garmin Connect ``Activities.csv`` ("Export CSV" of the activity list), every vintage seen.

Headers come in the account language (English, Danish, Norwegian, Swedish, Finnish, German,
Dutch, French, Spanish, Portuguese, Italian, Hungarian, Polish, Czech, Russian, Turkish,
Japanese, Chinese, Korean, ...); a file in a language not listed is recognised by Garmin's
fixed column layout (type, date, favourite, title, distance, calories, time). The column set
is user-chosen, numbers follow the account locale (decimal comma, thousands separators, even
mixed within one column), ``--`` marks missing values, swims are in metres inside the same
``Distance`` column as km/mi, track runs in metres too ("1,610"), and the distance unit is
**not stated**. It is decided per file, in this order, and the report says what decided it:

1. gait physics: stride length is in metres in metric and statute accounts alike, so steps
   (the Steps column, or average cadence × minutes) × stride length ÷ distance is about
   1,000 m per unit in a km account and about 1,609 m in a mile account;
2. only where no session has a stride length: the median pace, with a wide band
   (5:18-9:30 per unit) where both units are plausible, flagged as uncertain.

Evidence that disagrees (paces that fit the other unit, sessions whose strides do) is flagged
in the warnings; ``ctx.units`` overrides it all. Legacy 2012-2015 exports (title line, leading
spaces, localised dates like ``Fr, 25 Mai 2012 20:31``) and a hand-renamed French list export
are read too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stridewise.ingest.base import ImportReport, ReadContext
from stridewise.ingest.csvtable import Table, finish_report, header_key
from stridewise.ingest.sports import normalise_sports, title_or_type
from stridewise.ingest.values import infer_decimal, parse_dates, parse_durations, parse_numbers

SOURCE = "garmin_csv"
MILE_M = 1609.344
FOOT_M = 0.3048

# Header names per column in every account language Garmin Connect exports. Sources: the
# corpus files (English, Danish, German, Spanish, French, Hungarian, Portuguese), exports
# published in public repositories (Norwegian, Polish, Japanese, Simplified Chinese) and
# Garmin Connect's own wording in the other languages. A file in a language missing here is
# still recognised by its layout (see ``_positional``).
_TYPE = ("Activity Type", "Aktivitetstype", "Aktivitätstyp", "Tipo de actividad",
         "Tipo de atividade", "Type d'activité", "Tipo di attività", "Activiteittype",
         "Activiteitstype", "Tevékenység típusa", "Typ aktywności", "Aktivitetstyp",
         "Aktiviteettityyppi", "Aktiviteetin tyyppi", "Typ aktivity", "Tip activitate",
         "Tipul activității", "Vrsta aktivnosti", "Vrsta dejavnosti", "Aktivite Tipi",
         "Aktivite Türü", "Etkinlik Türü", "Тип занятия", "Тип активности", "Тип заняття",
         "Τύπος δραστηριότητας", "アクティビティタイプ", "活动类型", "活動類型", "활동 유형",
         "Jenis Aktivitas", "ประเภทกิจกรรม", "Loại hoạt động", "סוג פעילות", "نوع النشاط")
_DATE = ("Date", "Dato", "Datum", "Fecha", "Data", "Dátum", "Start", "Date de début",
         "Päivämäärä", "Päiväys", "Tarih", "Dată", "Дата", "Ημερομηνία", "日付", "日期",
         "날짜", "Tanggal", "วันที่", "Ngày", "תאריך", "التاريخ")
_FAVORITE = ("Favorite", "Favorit", "Favorito", "Favori", "Preferito", "Favoriet", "Kedvenc",
             "Favoritt", "Ulubiony", "Ulubione", "Suosikki", "Oblíbené", "Obľúbené",
             "Favorită", "Omiljeno", "Priljubljeno", "Избранное", "Вибране", "Αγαπημένο",
             "お気に入り", "我的最爱", "我的最愛", "즐겨찾기", "Favorit", "รายการโปรด",
             "Yêu thích", "מועדף", "المفضلة")
_TITLE = ("Title", "Titel", "Título", "Titre", "Titolo", "Cím", "Aktivitätsname",
          "Activity Name", "Nom de l'activité", "Tytuł", "Tittel", "Otsikko", "Název",
          "Názov", "Titlu", "Naslov", "Başlık", "Название", "Назва", "Τίτλος", "タイトル",
          "标题", "標題", "제목", "Judul", "ชื่อ", "Tiêu đề", "כותרת", "العنوان")
_DIST = ("Distance", "Distanz", "Distancia", "Distância", "Distanza", "Afstand", "Távolság",
         "Dystans", "Avstånd", "Distans", "Distanse", "Matka", "Vzdálenost", "Vzdialenosť",
         "Distanță", "Udaljenost", "Razdalja", "Mesafe", "Расстояние", "Дистанция",
         "Відстань", "Απόσταση", "距離", "距离", "거리", "Jarak", "ระยะทาง", "Quãng đường",
         "Khoảng cách", "מרחק", "المسافة")
_CAL = ("Calories", "Kalorier", "Kalorien", "Calorías", "Calorias", "Calorie", "Calorieën",
        "Kalóriaszám", "Kalorie", "Totale kalorier", "Suma kalorii", "Kalorit", "Kalorii",
        "Kalórie", "Kalorije", "Kaloriler", "Kalori", "Калории", "Калорії", "Θερμίδες",
        "カロリー", "热量消耗", "卡路里", "칼로리", "แคลอรี่", "Calo", "קלוריות",
        "السعرات الحرارية")
_TIME = ("Time", "Tid", "Zeit", "Tiempo", "Tempo", "Durée", "Temps", "Tijd", "Idő", "Czas",
         "Aika", "Čas", "Timp", "Vrijeme", "Süre", "Zaman", "Время", "Час", "Χρόνος",
         "タイム", "时间", "時間", "시간", "Waktu", "เวลา", "Thời gian", "זמן", "الوقت")
_MOVING = ("Moving Time", "Tid i bevægelse", "Zeit in Bewegung", "Tiempo en movimiento",
           "Tempo em movimento", "Temps de déplacement", "Tempo in movimento", "Beweegtijd",
           "Menetidő", "Czas ruchu", "Tid i bevegelse", "Tid i rörelse", "Liikkumisaika",
           "Čas v pohybu", "Timp în mișcare", "Vrijeme kretanja", "Hareket Süresi",
           "Время в движении", "Час руху", "Χρόνος κίνησης", "移動時間", "移动时间",
           "이동 시간", "Waktu Bergerak", "เวลาเคลื่อนที่", "Thời gian di chuyển",
           "זמן תנועה", "وقت الحركة")
_ELAPSED = ("Elapsed Time", "Tidsforbrug", "Verstrichene Zeit", "Tiempo transcurrido",
            "Duração", "Temps écoulé", "Tempo trascorso", "Verstreken tijd", "Eltelt idő",
            "Czas, który upłynął", "Medgått tid", "Förfluten tid", "Kulunut aika",
            "Uplynulý čas", "Timp scurs", "Proteklo vrijeme", "Geçen Süre",
            "Прошедшее время", "Минуло часу", "Χρόνος που πέρασε", "経過時間", "全程耗时",
            "經過時間", "경과 시간", "Waktu Berlalu", "เวลาที่ผ่านไป", "Thời gian đã trôi qua",
            "זמן שחלף", "الوقت المنقضي", "Tempo decorrido")
_AVGHR = ("Avg HR", "Gennemsnitlig puls", "Ø Herzfrequenz", "Frecuencia cardiaca media",
          "FC Média", "Fréquence cardiaque moyenne", "FC Media", "Gemiddelde hartslag",
          "Átlagos pulzusszám", "Ø HF", "Średnie tętno", "Gjennomsnittlig puls", "Medelpuls",
          "Genomsnittlig puls", "Keskisyke", "Průměrná TF", "Priemerná TF",
          "Ritm cardiac mediu", "Prosječan puls", "Ort. KA", "Ortalama Kalp Atış Hızı",
          "Средняя ЧСС", "Середній пульс", "Μέσος καρδιακός ρυθμός", "平均心拍数", "平均心率",
          "평균 심박수", "Rata-rata Detak Jantung", "อัตราการเต้นหัวใจเฉลี่ย",
          "Nhịp tim trung bình", "דופק ממוצע", "متوسط معدل نبضات القلب")
_MAXHR = ("Max HR", "Maks. puls", "Maximale Herzfrequenz", "FC máxima",
          "Fréquence cardiaque maximale", "FC max", "Maximale hartslag", "Max. pulzus",
          "Max. HF", "Maksymalne tętno", "Makspuls", "Maxpuls", "Maksimisyke", "Max. TF",
          "Ritm cardiac maxim", "Maks. puls", "Maks. KA", "Maksimum Kalp Atış Hızı",
          "Максимальная ЧСС", "Макс. ЧСС", "Максимальний пульс", "Μέγιστος καρδιακός ρυθμός",
          "最大心拍数", "最大心率", "최대 심박수", "Detak Jantung Maksimum",
          "อัตราการเต้นหัวใจสูงสุด", "Nhịp tim tối đa", "דופק מרבי", "أقصى معدل نبضات القلب")
_ASCENT = ("Total Ascent", "Elev Gain", "Højdeforøgelse", "Samlet stigning", "Anstieg gesamt",
           "Ascenso total", "Subida total", "Ascension totale", "Salita totale",
           "Totale stijging", "Teljes emelkedés", "Positiver Höhenunterschied", "Gain_altitude",
           "Całkowity wznios", "Total stigning", "Stigning totalt", "Total höjdökning",
           "Nousu yhteensä", "Kokonaisnousu", "Celkový výstup", "Celkové stúpanie",
           "Ascensiune totală", "Ukupni uspon", "Toplam Tırmanış", "Общий подъем",
           "Общий подъём", "Загальний підйом", "Συνολική ανάβαση", "総上昇量", "累计爬升",
           "總爬升", "총 상승", "Total Pendakian", "การไต่ระดับทั้งหมด", "Tổng độ cao leo",
           "סך הכל עלייה", "إجمالي الصعود")
#: Average running cadence (steps per minute in every account).
_CADENCE = ("Avg Run Cadence", "Gennemsnitlig løbekadence", "Ø Schrittfrequenz (Laufen)",
            "Ø Lauf-Schrittfrequenz", "Cadencia de carrera media", "Cadência média de corrida",
            "Cadence de course moyenne", "Cadenza media di corsa", "Gemiddelde loopcadans",
            "Átlagos futási lépésszám", "Gjennomsnittlig frekvens for løping",
            "Gjennomsnittlig frekvens for loping", "Genomsnittlig löpkadens",
            "Keskimääräinen juoksun askeltiheys", "Średnia kadencja biegu",
            "Průměrná běžecká kadence", "Средний темп бега", "Средняя частота шагов",
            "平均ピッチ", "平均步频", "平均步頻", "평균 달리기 케이던스")
#: Average stride length (metres in every account, statute ones included).
_STRIDE = ("Avg Stride Length", "Gennemsnitlig skridtlængde", "Ø Schrittlänge",
           "Longitud media de zancada", "Comprimento médio da passada",
           "Longueur moyenne des foulées", "Lunghezza media passo", "Gemiddelde staplengte",
           "Átlagos lépéshossz", "Gjennomsnittlig skrittlengde", "Genomsnittlig steglängd",
           "Keskimääräinen askelpituus", "Średnia długość kroku", "Průměrná délka kroku",
           "Средняя длина шага", "平均歩幅", "平均步长", "平均步幅", "평균 보폭")
_STEPS = ("Steps", "Skridt", "Schritte", "Pasos", "Passos", "Pas", "Passi", "Stappen",
          "Lépések", "Skritt", "Steg", "Askeleet", "Kroki", "Kroky", "Шаги", "ステップ",
          "步数", "步數", "걸음 수")
#: Average pace (time per km or mile) and speed (km/h or mph); both in the account unit.
_PACE = ("Avg Pace", "Ø Pace", "Ritmo medio", "Gennemsnitstempo", "Átlagos tempó",
         "Ritmo médio", "Allure moyenne", "Passo medio", "Gemiddeld tempo",
         "Gjennomsnittlig tempo", "Genomsnittlig tempo", "Keskivauhti", "Średnie tempo",
         "Průměrné tempo", "Средний темп", "平均ペース", "平均配速", "평균 페이스")
_SPEED = ("Avg Speed", "Ø Geschwindigkeit", "Velocidad media", "Velocidade média",
          "Vitesse moyenne", "Velocità media", "Gemiddelde snelheid", "Gennemsnitlig hastighed",
          "Átlagsebesség", "Gjennomsnittlig hastighet", "Genomsnittlig hastighet",
          "Keskinopeus", "Średnia prędkość", "Průměrná rychlost", "Средняя скорость",
          "平均スピード", "平均速度", "평균 속도")
#: Header names only Garmin's list export uses; one of them (or Garmin's type/title/time
#: names) confirms the layout.
_MARKERS = ("Favorite", "Favorit", "Favorito", "Favori", "Preferito", "Favoriet", "Kedvenc",
            "Favoritt", "Ulubiony", "Suosikki", "Oblíbené", "Избранное", "お気に入り",
            "我的最爱", "我的最愛", "즐겨찾기",
            "Training Stress Score®", "Normalized Power® (NP®)", "Aerobic TE", "Aerob TE",
            "TE aeróbico", "Training Effect Aeróbico", "Aerob treningseffekt",
            "Best Lap Time", "Tid for bedste omgang", "Beste Rundenzeit",
            "Mejor tiempo de vuelta", "Tempo da melhor volta", "Legjobb köridő",
            "Beste rundetid", "Bästa varvtid", "Decompression", "Dekompression",
            "Descompresión", "Descompressão", "Dekompressziós", "Dekompresjon",
            "Number of Laps", "Anzahl der Runden", "Antall runder", "Antal varv",
            "Avg Pace", "Ø Pace", "Ritmo medio", "Gennemsnitstempo", "Átlagos tempó",
            "Body Battery Drain", "Min Elevation", "Avg Stride Length", "Bundtid")
_LANG = {
    "activity type": "English", "aktivitetstype": "Danish/Norwegian",
    "aktivitatstyp": "German", "tipo de actividad": "Spanish",
    "tipo de atividade": "Portuguese", "type d activite": "French",
    "tipo di attivita": "Italian", "activiteittype": "Dutch", "activiteitstype": "Dutch",
    "tevekenyseg tipusa": "Hungarian", "typ aktywnosci": "Polish", "aktivitetstyp": "Swedish",
    "aktiviteettityyppi": "Finnish", "aktiviteetin tyyppi": "Finnish", "typ aktivity": "Czech",
    "aktivite tipi": "Turkish", "aktivite turu": "Turkish", "тип занятия": "Russian",
    "тип активности": "Russian", "тип заняття": "Ukrainian", "アクティビティタイプ": "Japanese",
    "活动类型": "Chinese", "活動類型": "Chinese", "활동 유형": "Korean",
}
_FR_LEGACY = ("activite", "type", "date", "temps", "distance", "gain altitude", "vitesse moy")
_SWIMS = frozenset({"swim", "open_water_swim"})


_FOOT = frozenset({"run", "trail_run", "treadmill_run", "track_run", "virtual_run", "walk",
                   "hike"})
_WHEELS = ("ride", "mountain_bike", "gravel_ride", "e_bike", "virtual_ride", "indoor_ride",
           "ski", "nordic_ski", "backcountry_ski", "row", "kayak")
_RUNS = ("run", "trail_run", "treadmill_run", "track_run", "virtual_run")
#: Fastest plausible foot speed, m/s (the 100 m world record averages about 10.4 m/s).
_FOOT_MAX_MPS = 12.0
#: Faster than any session of any human-powered sport averages, m/s (180 km/h).
_ANY_MAX_MPS = 50.0
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(:\d{2})?$"
_HMS = r"^\d{1,3}:\d{2}(:\d{2})?([.,]\d+)?$"


def _is_fr_legacy(table: Table) -> bool:
    return all(k in table.keys for k in _FR_LEGACY)


def _share(s: pd.Series, pattern: str) -> float:
    t = s.astype("str").str.strip()
    t = t[~t.isin(["", "--", "--:--:--"])]
    if len(t) == 0:
        return 0.0
    return float(t.str.fullmatch(pattern).mean())


def _positional(table: Table) -> dict[str, int] | None:
    """Column roles of a Garmin list export whose header language is not in the vocabulary,
    from its fixed layout: type, date (``2024-05-01 07:12:33``), [favourite ``true``/``false``],
    title, distance, calories, time (``00:41:12``). None when the values do not fit."""
    n = len(table.columns)
    if n < 7 or len(table) == 0:
        return None
    head = table.data.head(200)
    if _share(head[1], _ISO_DATE) < 0.9:
        return None
    fav = head[2].astype("str").str.strip().str.lower()
    has_fav = bool(len(fav)) and bool(fav.isin(["true", "false"]).all())
    j = 3 if has_fav else 2
    if j + 3 >= n:
        return None
    number = r"^-?[\d.,' \u00a0]+$"
    if _share(head[j + 1], number) < 0.8 or _share(head[j + 3], _HMS) < 0.8:
        return None
    english = table.count("Training Stress Score®", "Normalized Power® (NP®)",
                          "Max Avg Power (20 min)")
    if not has_fav and not english:
        return None
    roles = {"type": 0, "date": 1, "title": j, "distance": j + 1, "calories": j + 2,
             "time": j + 3}
    if has_fav:
        roles["favorite"] = 2
    # Newer exports end with moving time, elapsed time, min and max elevation.
    if n - 4 > j + 3 and all(_share(head[i], _HMS) >= 0.8 for i in (n - 4, n - 3)) \
            and all(_share(head[i], number) >= 0.8 for i in (n - 2, n - 1)):
        roles["moving"], roles["elapsed"] = n - 4, n - 3
    return roles


def detect(table: Table) -> bool:
    """True for a Garmin Connect activity-list CSV (by header names in any account language,
    or by Garmin's column layout when the language is not known)."""
    if _is_fr_legacy(table):
        return True
    has_type = table.index_of(*_TYPE) is not None
    has_date = table.index_of(*_DATE) is not None
    has_dist = table.index_of(*_DIST) is not None
    markers = table.count(*_MARKERS)
    # A trimmed column choice may lack every marker; Garmin's own type/title/time names then
    # still identify it.
    garmin_names = table.index_of(*_TITLE) is not None and table.index_of(*_TIME) is not None
    if has_type and has_date and has_dist and (markers >= 1 or garmin_names):
        return True
    return _positional(table) is not None


def _mmss(minutes: float) -> str:
    m = int(minutes)
    sec = int(round((minutes - m) * 60))
    if sec == 60:
        m, sec = m + 1, 0
    return f"{m}:{sec:02d}"


def infer_units(sport: pd.Series, dist: pd.Series, secs: pd.Series) -> tuple[str, str, bool]:
    """("km"|"mi", reason, sure) from plausible paces (runs, then walks/hikes, then rides).

    Running paces between 5:18 and 9:30 per unit are plausible both per km and per mile:
    there the answer is "km" but not sure (the caller flags it)."""
    ok = dist.gt(0) & secs.gt(0)
    run = ok & sport.isin(list(_RUNS))
    if run.sum() >= 1:
        pace = (secs[run] / 60.0 / dist[run]).median()  # minutes per unit
        desc = f"the median running pace is {_mmss(pace)} per unit"
        if pace >= 9.5:
            return "mi", f"{desc}, plausible per mile but very slow per km", True
        if pace <= 5.3:
            return "km", f"{desc}, plausible per km but implausibly fast per mile", True
        return "km", f"{desc}, plausible per km and per mile", False
    walk = ok & sport.isin(["walk", "hike"])
    if walk.sum() >= 1:
        pace = (secs[walk] / 60.0 / dist[walk]).median()
        desc = f"the median walking pace is {_mmss(pace)} per unit"
        if pace >= 15.0:
            return "mi", f"{desc}, plausible per mile but very slow per km", True
        return "km", f"{desc}, plausible per km", pace <= 12.0
    ride = ok & sport.isin(["ride", "mountain_bike", "gravel_ride", "e_bike", "virtual_ride"])
    if ride.sum() >= 1:
        speed = (dist[ride] / (secs[ride] / 3600.0)).median()
        desc = f"the median cycling speed is {speed:.1f} units per hour"
        if speed < 15.0:
            return "mi", f"{desc}, plausible in mph", speed < 12.0
        return "km", f"{desc}, plausible in km/h", True
    return "km", "the file has no runs, walks or rides to judge by", False


#: Metres per unit of the Distance column: 1,000 (km) or 1,609.344 (mi); the decision line is
#: their geometric mean.
_KM_MI_LINE = float(np.sqrt(1000.0 * MILE_M))
#: How near (relative) a session's metres per unit must be to 1,000 or 1,609 to count.
_CLUSTER = 0.06


@dataclass(frozen=True)
class UnitDecision:
    """The distance unit of a Garmin list export and what decided it.

    units: "km" or "mi". basis: "stride" (steps × stride length), "pace" (median pace) or
    "none". reason: a clause for the report. sure: False when the pace fell in the band
    where both units are plausible. warnings: disagreements worth a look.
    """

    units: str
    basis: str
    reason: str
    sure: bool
    warnings: tuple[str, ...] = ()


def stride_metres_per_unit(dist: pd.Series, stride_m: pd.Series, steps: pd.Series,
                           cadence_spm: pd.Series, secs: pd.Series) -> pd.Series:
    """Per session, metres walked or run per unit of the Distance column, from the physics of
    the gait: steps × stride length (m) / distance. Steps come from the Steps column, else
    from the average cadence (steps/min) × minutes. Garmin reports stride length in metres
    in metric and statute accounts alike, so the result is about 1,000 in a km account and
    about 1,609 in a mile account. NaN where a value is missing or the result is not near
    either (swims, rides, distances in metres)."""
    st = steps.where(steps.gt(0), cadence_spm * secs / 60.0)
    mpu = st * stride_m / dist
    ok = dist.gt(0) & stride_m.gt(0.2) & stride_m.lt(3.0) & mpu.between(600.0, 2700.0)
    return mpu.where(ok)


def decide_units(sport: pd.Series, dist: pd.Series, secs: pd.Series,
                 mpu: pd.Series) -> UnitDecision:
    """Garmin km or mi: gait physics first (``mpu`` from :func:`stride_metres_per_unit`),
    median pace as the last resort; disagreements become warnings."""
    pace_units, pace_reason, pace_sure = infer_units(sport, dist, secs)
    m = mpu.dropna()
    if len(m) == 0:
        if pace_sure:
            return UnitDecision(pace_units, "pace", pace_reason, True)
        return UnitDecision(pace_units, "pace" if "median" in pace_reason else "none",
                            pace_reason, False)
    med = float(m.median())
    n = len(m)
    # Continuous sessions sit within a few per cent of 1,000 m (km) or 1,609 m (mi); pauses
    # counted in the steps only ever push a session up, so it is the two clusters, not the
    # median, that decide.
    km_like = int((m / 1000.0 - 1.0).abs().le(_CLUSTER).sum())
    mi_like = int((m / MILE_M - 1.0).abs().le(_CLUSTER).sum())
    if km_like or mi_like:
        units = "mi" if mi_like > km_like else "km"
        clear = km_like + mi_like
        agree = max(km_like, mi_like) / clear
        other = min(km_like, mi_like)
        size = "1,000 m (a kilometre)" if units == "km" else "1,609 m (a mile)"
        reason = (f"steps × stride length come to about {size} per unit of the Distance "
                  f"column in {max(km_like, mi_like)} of {n} session{'s' if n != 1 else ''} "
                  "with a stride length")
    else:
        units = "mi" if med >= _KM_MI_LINE else "km"
        clear, agree, other = 0, 0.0, 0
        reason = (f"steps × stride length gives {med:,.0f} m per unit of the Distance column "
                  f"(median of {n} session{'s' if n != 1 else ''}), nearer a "
                  f"{'mile (1,609 m)' if units == 'mi' else 'kilometre (1,000 m)'} than the "
                  "other unit but close to neither")
    warnings: list[str] = []
    if other and agree < 0.9:
        warnings.append(f"the evidence disagrees: {other} of {clear} sessions' steps and "
                        f"stride length fit {'kilometres' if units == 'mi' else 'miles'} "
                        "instead; check the distance unit")
    if "median" in pace_reason:
        if pace_units == units:
            reason += f"; {pace_reason.split(',')[0]}, which fits"
        elif pace_sure:
            warnings.append(f"the evidence disagrees: {pace_reason}, which points to "
                            f"{'miles' if pace_units == 'mi' else 'kilometres'}; the stride "
                            "length was followed; check the distance unit")
    sure = clear > 0 and agree >= 0.9 and (clear >= 3 or not pace_sure or pace_units == units)
    return UnitDecision(units, "stride", reason, sure, tuple(warnings))


def _sport_from_gait(sport: pd.Series, types: pd.Series, dist_m: pd.Series, secs: pd.Series,
                     cadence: pd.Series, stride: pd.Series) -> tuple[pd.Series, str | None]:
    """Sessions whose type name is not known (a language not yet listed) but whose gait is
    recorded: a running cadence (at least 140 steps/min) with a running pace (2:30-9:00 per
    km) is a run, a walking cadence (80-135) with a walking pace (8:00-20:00 per km) a walk.
    Returns the sports and the report sentence (None when nothing changed)."""
    unknown = sport.eq("other") & types.astype("str").str.strip().ne("") & stride.gt(0.3)
    if not unknown.any():
        return sport, None
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = secs / (dist_m / 1000.0)  # s per km
    run = unknown & cadence.ge(140) & pace.between(150, 540)
    walk = unknown & cadence.between(80, 135) & pace.between(480, 1200)
    if not (run.any() or walk.any()):
        return sport, None
    out = sport.mask(run, "run").mask(walk, "walk")
    names = pd.unique(types[run | walk].astype("str").str.strip())
    shown = ", ".join(f"'{n}'" for n in names[:3]) + (", ..." if len(names) > 3 else "")
    return out, (f"{int(run.sum())} session(s) read as runs and {int(walk.sum())} as walks from "
                 f"their cadence and pace: their type name ({shown}) is not one Stridewise "
                 "knows")


def read(table: Table, ctx: ReadContext, file_name: str) -> ImportReport:
    """Import a Garmin Connect activity-list table (see the module docstring)."""
    idx = table.data.index
    assumptions: list[str] = []
    warn: list[str] = []
    fr = _is_fr_legacy(table)
    by_name = fr or (table.index_of(*_TYPE) is not None and table.index_of(*_DATE) is not None
                     and table.index_of(*_DIST) is not None)
    # Garmin's fixed layout fills in columns whose header name is not in the vocabulary.
    pos = None if fr else _positional(table)

    def col(names: tuple[str, ...], role: str | None = None) -> pd.Series | None:
        found = table.find(*names)
        if found is None and pos is not None and role in pos:
            return table.column(pos[role])
        return found

    types = table.find("type") if fr else col(_TYPE, "type")
    titles = table.find("activite") if fr else col(_TITLE, "title")
    date_txt = col(_DATE, "date")
    if types is None:
        types = table.empty_text()
    if date_txt is None:
        date_txt = table.empty_text()
    sport = normalise_sports(types)
    # One decimal mark for the whole file (number format follows the account locale).
    date_pos = {i for i, k in enumerate(table.keys) if k in {header_key(n) for n in _DATE}}
    if pos is not None:
        date_pos.add(pos["date"])
    num_cols = [table.data[i] for i, k in enumerate(table.keys) if k and i not in date_pos]
    dec = infer_decimal(*num_cols)

    def num(names: tuple[str, ...], role: str | None = None) -> pd.Series:
        s = col(names, role)
        return parse_numbers(s, dec) if s is not None else pd.Series(np.nan, index=idx)

    dist_raw = num(_DIST, "distance")
    time_col = col(_TIME, "time")
    two_part = "ms"
    if time_col is not None:
        tt = time_col.astype("str").str.strip()
        tt = tt[tt.str.contains(":", regex=False)]
        first = pd.to_numeric(tt.str.extract(r"^(\d{1,2}):\d\d$", expand=False),
                              errors="coerce")
        if len(tt) and first.notna().all() and first.max() <= 23 and first.median() <= 2:
            two_part = "hm"
            warn.append("the Time column holds hours:minutes rounded to the minute; the "
                        "moving/elapsed time columns were used where present")
    time_s = (parse_durations(time_col, two_part=two_part) if time_col is not None
              else pd.Series(np.nan, index=idx))
    moving_col = col(_MOVING, "moving")
    elapsed_col = col(_ELAPSED, "elapsed")
    moving = parse_durations(moving_col) if moving_col is not None else time_s
    moving = moving.where(moving.gt(0), time_s)
    elapsed = parse_durations(elapsed_col) if elapsed_col is not None else time_s
    duration = elapsed.where(elapsed.gt(0), time_s).where(lambda d: d.gt(0), moving)
    active = moving.where(moving.gt(0), duration)
    # Swims are metres (or yards) in every account; everything else km or mi.
    swim = sport.isin(_SWIMS)
    # Track runs list metres ("1,610") even in km and mile accounts: a session that would be
    # faster than any human on foot (or than any sport at all, for types not known as foot
    # sports, e.g. a swim named in a language not yet listed) when read in km is in metres
    # when metres give a plausible speed.
    foot = sport.isin(list(_FOOT))
    with np.errstate(divide="ignore", invalid="ignore"):
        as_km_mps = dist_raw * 1000.0 / active
        as_m_mps = dist_raw / active
    limit = pd.Series(np.where(foot, _FOOT_MAX_MPS, _ANY_MAX_MPS), index=idx)
    metres = ~swim & as_km_mps.gt(limit) & as_m_mps.between(0.3, _FOOT_MAX_MPS)
    # Without a time: no foot session covers 400 km, no track session 100 km.
    untimed = ~active.gt(0) & ~swim
    metres |= untimed & ((foot & dist_raw.ge(400)) | (sport.eq("track_run") & dist_raw.ge(100)))
    if metres.any():
        first_line = int(table.record_lines[np.flatnonzero(metres.to_numpy())[0]])
        warn.append(f"{int(metres.sum())} session(s) list their distance in metres (as Garmin "
                    f"does for track runs; first at row {first_line}): in km they would be "
                    "faster than humanly possible, so they were read as metres")
    judged = ~swim & ~metres
    cadence = num(_CADENCE)
    stride = num(_STRIDE)
    steps = num(_STEPS)
    pace_secs = time_s.where(time_s.gt(0), active)
    # Steps taken while stopped (a run with long pauses) inflate the count against the
    # stride, so only sessions that moved at least 90 % of their time are gait evidence.
    longest = pd.concat([pace_secs, elapsed], axis=1).max(axis=1)
    continuous = ~(moving.gt(0) & longest.gt(0) & moving.lt(0.9 * longest))
    # Any session with a stride length is on foot, whatever its (maybe unknown) type name.
    mpu = stride_metres_per_unit(dist_raw, stride, steps, cadence, pace_secs).where(
        judged & continuous & ~sport.isin(list(_WHEELS)))
    if ctx.units is not None:
        units = ctx.units
        assumptions.append(f"distances read as {'miles' if units == 'mi' else 'kilometres'} "
                           "as you chose")
    else:
        decision = decide_units(sport[judged], dist_raw[judged], active[judged], mpu[judged])
        units = decision.units
        word = "miles" if units == "mi" else "kilometres"
        if decision.sure:
            assumptions.append(f"distances read as {word} because {decision.reason}")
        else:
            assumptions.append(f"distances read as {word} ({decision.reason}); Garmin's CSV "
                               "does not state the unit, so choose miles or kilometres if "
                               "this is wrong")
            if decision.basis != "none":
                warn.append(f"the distance unit is uncertain: {decision.reason}; choose "
                            "miles or kilometres if kilometres is wrong")
        warn.extend(decision.warnings)
    factor = MILE_M if units == "mi" else 1000.0
    dist_m = dist_raw.where(swim | metres, dist_raw * factor)
    if swim.any():
        assumptions.append("pool and open-water swim distances read as metres (Garmin lists "
                           "swims in metres or yards, not km/mi)")
    sport, gait_note = _sport_from_gait(sport, types, dist_m.where(~swim), active, cadence,
                                        stride)
    if gait_note:
        assumptions.append(gait_note)
    parsed = parse_dates(date_txt, order=ctx.date_order)
    assumptions.extend(parsed.sentences())
    assumptions.append("Garmin lists local start times; they were kept as they are")
    ascent = num(_ASCENT)
    if units == "mi":
        ascent = ascent * FOOT_M
    rows = pd.DataFrame({
        "start": parsed.values,
        "start_reason": parsed.reasons(),
        "sport": sport,
        "title": (title_or_type(titles, types, sport) if titles is not None
                  else types.astype("str").str.strip()),
        "duration_s": duration,
        "moving_s": moving,
        "distance_m": dist_m.where(dist_m.gt(0)),
        "elevation_gain_m": ascent,
        "row_number": table.record_lines,
    }, index=idx)
    for c, names, role in (("avg_hr", _AVGHR, None), ("max_hr", _MAXHR, None),
                           ("calories", _CAL, "calories")):
        rows[c] = num(names, role)
    rows["avg_hr"] = rows["avg_hr"].where(rows["avg_hr"].gt(0))
    rows["max_hr"] = rows["max_hr"].where(rows["max_hr"].gt(0))
    if fr:
        fmt = ("Garmin Connect activity list (2014-15 export, French, headers renamed by hand)")
    else:
        i_type = table.index_of(*_TYPE)
        lang = (_LANG.get(table.keys[i_type], "localised") if i_type is not None
                else "unlisted-language")
        if pos is not None and not by_name:
            warn.append("the header language is not one Stridewise knows; the columns were "
                        "recognised by Garmin's layout (type, date, title, distance, calories, "
                        "time)")
        if table.first_data_line > 2:
            fmt = f"Garmin Connect activity list (legacy export with a title line, {lang} headers)"
        else:
            fmt = f"Garmin Connect Activities.csv ({len(table.columns)} columns, {lang} headers)"
    if dec == ",":
        assumptions.append("numbers use a decimal comma (account locale)")
    return finish_report(rows, table, ctx, source=SOURCE, file_name=file_name, fmt=fmt,
                         assumptions=assumptions, warnings=warn, units=units)
