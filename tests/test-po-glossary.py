#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""zh_CN.po keeps to po/GLOSSARY-zh_CN.md: none of the glossary's forbidden
variants in a translation, full-width punctuation next to Chinese.

Usage: test-po-glossary.py GLOSSARY PO [HELP_PO]
The help's translation (HELP_PO) keeps to the same terms. Prints TAP.
"""

import ast
import re
import sys

from tapcases import case, run_cases

glossary_path, po_path = sys.argv[1:3]
po_paths = sys.argv[2:]
CJK = "\u3400-\u9fff\uf900-\ufaff"


def forbidden_words():
    with open(glossary_path, encoding="utf-8") as f:
        pairs = re.findall(r"^forbidden: (.+?) -> (.+)$", f.read(), re.M)
    assert len(pairs) >= 10, f"the glossary's machine-readable list is missing: {pairs}"
    return pairs


def translations(every_file=False):
    """(msgid, msgstr) of every translated message, plural forms apart, of
    the app's PO file (and of the help's too with every_file)."""
    entries = []
    for path in po_paths if every_file else [po_path]:
        entries += read_po(path)
    return entries


def read_po(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    entries = []
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        key, fields = None, {}
        for line in block.splitlines():
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if m:
                key = m.group(1)
                fields[key] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and key is not None:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            for name, value in fields.items():
                if name.startswith("msgstr") and value:
                    entries.append((fields["msgid"], value))
    assert len(entries) > 50, f"only {len(entries)} translations read from {path}"
    return entries


def report(bad):
    assert not bad, "\n".join(f"{msgid[:60]!r} → {msgstr[:80]!r}: {why}" for msgid, msgstr, why in bad)


@case("no translation uses a variant the glossary forbids")
def _():
    words = forbidden_words()
    report([(msgid, msgstr, f"“{word}”, use “{use}”")
            for msgid, msgstr in translations(every_file=True) for word, use in words if word in msgstr])


@case("This Computer is 本机 wherever the English names it, or says what it uses")
def _():
    report([(msgid, msgstr, "no 本机")
            for msgid, msgstr in translations(every_file=True)
            if re.search(r"This Computer|this computer uses", msgid) and "本机" not in msgstr])


@case("the boot GPU is 主显卡")
def _():
    report([(msgid, msgstr, "no 主显卡")
            for msgid, msgstr in translations() if "boot GPU" in msgid and "主显卡" not in msgstr])


@case("no ASCII comma-space next to Chinese text; no space after a full-width colon")
def _():
    comma = re.compile(f"[{CJK}，。、]\\s*, |, \\s*[{CJK}]")
    report([(msgid, msgstr, "ASCII “, ” in Chinese text: use ， or 、")
            for msgid, msgstr in translations(every_file=True) if comma.search(msgstr)] +
           [(msgid, msgstr, "a space after “：”")
            for msgid, msgstr in translations(every_file=True) if re.search("： ", msgstr)])


run_cases()
