#!/usr/bin/env python3
"""Builds the shipped data of warden-scan's contact and finance detectors.

Writes into crates/scan/data/:
  tlds.txt             top-level domains, one per line (ASCII, punycode and Unicode forms), from the
                       npm package `tlds` (MIT; ICANN's list)
  phone_codes.txt      `calling_code lengths national_prefix regions` per ITU calling code, from the
                       PyPI package `phonenumbers` (Apache-2.0; libphonenumber's metadata)
  nanp_area_codes.txt  North American area codes that libphonenumber considers valid
  countries.txt        ISO 3166 alpha-2 codes that libphonenumber knows (for SWIFT/BIC)

Rebuild (from the repository root):
  pip install phonenumbers==9.0.43
  python3 scripts/data/contact_finance.py
The npm package is fetched with `npm pack tlds@1.261.0` into a temporary directory.
"""

import json
import pathlib
import subprocess
import sys
import tarfile
import tempfile

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

PHONENUMBERS_VERSION = "9.0.43"
TLDS_VERSION = "1.261.0"
OUT = pathlib.Path(__file__).resolve().parents[2] / "crates" / "scan" / "data"


def tlds():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"tlds@{TLDS_VERSION}", "--silent"],
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        archive = next(pathlib.Path(tmp).glob("tlds-*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.extractfile("package/index.json")
            names = json.load(member)
    out = set()
    for name in names:
        name = name.lower()
        out.add(name)
        if not name.isascii():
            out.add("xn--" + name.encode("punycode").decode("ascii"))
    return sorted(out)


def lengths(desc):
    return {n for n in desc.possible_length if n > 0}


def phone_codes():
    lines = []
    for cc, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        possible = set()
        prefixes = set()
        for region in regions:
            if region == "001":
                meta = PhoneMetadata.metadata_for_nongeo_region(cc)
            else:
                meta = PhoneMetadata.metadata_for_region(region)
            if meta is None:
                continue
            possible |= lengths(meta.general_desc)
            if meta.national_prefix:
                prefixes.add(meta.national_prefix)
        if not possible:
            continue
        prefix = "-" if len(prefixes) != 1 else prefixes.pop()
        names = ",".join(r for r in regions if r != "001") or "-"
        spans = ",".join(str(n) for n in sorted(possible))
        lines.append(f"{cc} {spans} {prefix} {names}")
    return lines


def nanp_area_codes():
    regions = COUNTRY_CODE_TO_REGION_CODE[1]
    valid = []
    for npa in range(200, 1000):
        for sample in ("2345678", "5550100", "8675309", "9876543"):
            number = phonenumbers.parse(f"+1{npa}{sample}")
            if any(phonenumbers.is_valid_number_for_region(number, r) for r in regions):
                valid.append(str(npa))
                break
    return valid


def main():
    if phonenumbers.__version__ != PHONENUMBERS_VERSION:
        sys.exit(f"need phonenumbers {PHONENUMBERS_VERSION}, found {phonenumbers.__version__}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "tlds.txt").write_text("\n".join(tlds()) + "\n", encoding="utf-8")
    (OUT / "phone_codes.txt").write_text("\n".join(phone_codes()) + "\n", encoding="ascii")
    (OUT / "nanp_area_codes.txt").write_text(" ".join(nanp_area_codes()) + "\n", encoding="ascii")
    countries = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if len(r) == 2)
    (OUT / "countries.txt").write_text(" ".join(countries) + "\n", encoding="ascii")


if __name__ == "__main__":
    main()
