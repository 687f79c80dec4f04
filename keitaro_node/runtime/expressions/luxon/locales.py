"""Month and weekday names for the locales workflows use most; English is the default."""

from __future__ import annotations

MONTHS_LONG = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "ru": "январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь декабрь",
}
MONTHS_SHORT = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "de": "Jan. Feb. März Apr. Mai Juni Juli Aug. Sept. Okt. Nov. Dez.",
    "fr": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "es": "ene feb mar abr may jun jul ago sept oct nov dic",
    "ru": "янв. февр. март апр. май июнь июль авг. сент. окт. нояб. дек.",
}
# Month names inside a date ("5. März", "5 марта"): genitive where the language has one.
MONTHS_FORMAT = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
WEEKDAYS_LONG = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "ru": "понедельник вторник среда четверг пятница суббота воскресенье",
}
WEEKDAYS_SHORT = {
    "en": "Mon Tue Wed Thu Fri Sat Sun",
    "de": "Mo. Di. Mi. Do. Fr. Sa. So.",
    "fr": "lun. mar. mer. jeu. ven. sam. dim.",
    "es": "lun mar mié jue vie sáb dom",
    "ru": "пн вт ср чт пт сб вс",
}


def language(locale: str) -> str:
    code = (locale or "en").split("-")[0].lower()
    return code if code in MONTHS_LONG else "en"


def month_name(locale: str, month: int, long: bool, standalone: bool = True) -> str:
    lang = language(locale)
    if long and not standalone and lang in MONTHS_FORMAT:
        return MONTHS_FORMAT[lang].split()[month - 1]
    table = MONTHS_LONG if long else MONTHS_SHORT
    return table[lang].split()[month - 1]


def weekday_name(locale: str, weekday: int, long: bool) -> str:
    table = WEEKDAYS_LONG if long else WEEKDAYS_SHORT
    return table[language(locale)].split()[weekday - 1]


US_ABBREVIATIONS = frozenset(
    {"EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "AKST", "AKDT", "HST", "HDT"}
)

LONG_ZONE_NAMES = {
    "CET": ("Central European Standard Time", "Central European Summer Time"),
    "EET": ("Eastern European Standard Time", "Eastern European Summer Time"),
    "WET": ("Western European Standard Time", "Western European Summer Time"),
    "GMT": ("Greenwich Mean Time", "British Summer Time"),
    "MSK": ("Moscow Standard Time", "Moscow Summer Time"),
    "EST": ("Eastern Standard Time", "Eastern Daylight Time"),
    "CST": ("Central Standard Time", "Central Daylight Time"),
    "MST": ("Mountain Standard Time", "Mountain Daylight Time"),
    "PST": ("Pacific Standard Time", "Pacific Daylight Time"),
    "JST": ("Japan Standard Time", "Japan Daylight Time"),
    "IST": ("India Standard Time", "India Standard Time"),
    "UTC": ("Coordinated Universal Time", "Coordinated Universal Time"),
}
SUMMER_TO_STANDARD = {
    "CEST": "CET",
    "EEST": "EET",
    "WEST": "WET",
    "BST": "GMT",
    "EDT": "EST",
    "CDT": "CST",
    "MDT": "MST",
    "PDT": "PST",
}
