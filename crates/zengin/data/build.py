#!/usr/bin/env python3
"""Builds banks.tsv and branches.tsv from PyPI `zengin-code` (MIT, the Zengin bank and branch
code list as the zengin-code project publishes it). Run from this folder:

    python3 build.py 1.1.0.20260824
"""
import json, os, subprocess, sys, tempfile, zipfile

version = sys.argv[1]
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, f"zengin-code=={version}"], check=True)
    whl = next(os.path.join(tmp, f) for f in os.listdir(tmp) if f.endswith(".whl"))
    z = zipfile.ZipFile(whl)
    root = "zengin_code/source-data/data/"
    banks = json.loads(z.read(root + "banks.json"))
    updated = z.read(root + "updated_at").decode().strip()
    with open("banks.tsv", "w") as f:
        f.write(f"# code\tname\tkana; from PyPI zengin-code {version} (MIT), data updated {updated}; see build.py\n")
        for code in sorted(banks):
            b = banks[code]
            f.write(f"{b['code']}\t{b['name']}\t{b['kana']}\n")
    with open("branches.tsv", "w") as f:
        f.write(f"# bank\tbranch\tname\tkana; from PyPI zengin-code {version} (MIT); see build.py\n")
        for code in sorted(banks):
            name = f"{root}branches/{code}.json"
            if name not in z.namelist():
                continue
            for bcode, br in sorted(json.loads(z.read(name)).items()):
                f.write(f"{code}\t{br['code']}\t{br['name']}\t{br['kana']}\n")
