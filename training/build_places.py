"""Build ``ngo_text/resources/gazetteer/places.txt``: country and region names in German.

Source: the Unicode CLDR German territory names as shipped by the ``babel`` package
(CLDR data, Unicode License v3). Used by ``ngo_orgs`` to type a country that the NER
called an organisation ("Tschad" ORG, "Nigeria" AGENCY) as LOC.

Usage (a developer step): ``python training/build_places.py``
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ngo_text" / "resources" / "gazetteer" / "places.txt"
# CLDR names a few territories by political long forms; the short forms are used in text
EXTRA = ["Kongo", "Palästina", "Westjordanland", "Gazastreifen", "Kosovo", "Taiwan", "Tibet",
         "Kurdistan", "Darfur", "Sahel", "Balkan", "Nahost", "Naher Osten", "Nahen Osten",
         "Mittlerer Osten", "Globaler Süden", "Globalen Süden", "Globaler Norden", "Globalen Norden"]


def main() -> int:
    from babel import Locale

    names = set(Locale("de").territories.values()) | set(EXTRA)
    # bodies, not places, for ngo_text ("die EU fordert"), and words too general to be a place name
    not_places = {"Europäische Union", "Eurozone", "Vereinte Nationen", "Welt", "Unbekannte Region"}
    names = {n for n in names if not any(c.isdigit() for c in n) and "(" not in n} - not_places
    lines = ["# Countries and regions in German, one per line. CLDR territory names (Unicode",
             "# License v3) via babel, plus common short forms; built by training/build_places.py."]
    OUT.write_text("\n".join(lines + sorted(names)) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
