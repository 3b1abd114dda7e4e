#!/usr/bin/env python3
"""Show one articles-dev document's paragraphs with our verdict and their overlap with the gold body.

    python benchmarks/show_doc.py OUTDIR/decisions.txt ID_PREFIX
Columns: verdict mark, reason, share of the paragraph's 4-shingles found in the gold body, text.
"""
import json, re, sys
from collections import Counter
GT = json.load(open("/work/shared/eval/articles-dev/ground-truth.json"))
TOK = re.compile(r"\w+")
def sh(t):
    t = TOK.findall(t); return Counter(tuple(t[i:i+4]) for i in range(max(1, len(t)-3)) if t[i:i+4])
dec, pref = sys.argv[1], sys.argv[2]
cur = None
for line in open(dec, encoding="utf-8"):
    if line.startswith("#####"):
        cur = line.split()[1]
        if cur.startswith(pref):
            print(line.rstrip()[:160]); gold = sh(GT[cur]["articleBody"])
        continue
    if cur and cur.startswith(pref):
        mark, rest = line[0], line[2:].rstrip("\n")
        reason, text = rest[:18].strip(), rest[19:]
        s = sh(text); ov = sum((s & gold).values()) / max(1, sum(s.values()))
        flag = "!!" if (mark == "+" and ov < 0.5) or (mark != "+" and ov >= 0.5) else "  "
        print(f"{flag}{mark} {reason:14.14} {ov:4.2f} {text[:120]}")
