#!/usr/bin/env python3
"""Builds the test XLSForm workbooks in this folder from the rows below.

    python3 tests/forms/xlsx/make.py      (rewrites *.xlsx here)

The workbooks are written the way spreadsheet programs write them: text in
the shared-strings part (a few cells as inline strings), numbers as numbers,
TRUE/FALSE as booleans, empty cells and rows left out, every cell addressed
by its r="B7" reference. A fixed timestamp keeps the bytes reproducible, so
running this again changes nothing unless the rows change.
"""
import os
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2024, 1, 1, 0, 0, 0)

# ---- labour.xlsx: a short labour-exploitation screening, English and Lao --

LABOUR = {
    "survey": [
        ["type", "name", "label::English (en)", "label::Lao (lo)", "hint::English (en)",
         "required", "relevant", "constraint", "constraint_message::English (en)",
         "calculation", "consent", "appearance"],
        ["begin group", "start", "Before we begin", "ກ່ອນເລີ່ມ"],
        ["note", "intro", "Explain who you are and that the person can stop at any time.",
         "ອະທິບາຍວ່າທ່ານແມ່ນໃຜ ແລະ ສາມາດຢຸດໄດ້ທຸກເວລາ."],
        ["select_one yn", "consent_ok", "Do you agree to answer some questions?",
         "ທ່ານຕົກລົງຕອບຄຳຖາມບໍ?", None, True, None, None, None, None, "interview"],
        ["end group"],
        None,                                   # a blank row, left out of the XML
        ["begin group", "work", "Your work", "ວຽກຂອງທ່ານ", None, None,
         "${consent_ok} = 'yes'"],
        ["integer", "age", "How old are you?", "ທ່ານອາຍຸເທົ່າໃດ?", "In years",
         "yes", None, ". >= 10 and . <= 100", "Age must be between 10 and 100."],
        ["select_one sectors", "sector", "What work did you do?", "ທ່ານເຮັດວຽກຫຍັງ?",
         None, None, None, None, None, None, None, "minimal"],
        ["integer", "hours_day", "How many hours a day did you work?",
         "ທ່ານເຮັດວຽກຈັກຊົ່ວໂມງຕໍ່ມື້?", None, "yes", None, ". >= 0 and . <= 24"],
        ["integer", "days_week", "How many days a week?", "ຈັກມື້ຕໍ່ອາທິດ?", None, "yes",
         None, ". >= 0 and . <= 7"],
        ["calculate", "weekly_hours", None, None, None, None, None, None, None,
         "${hours_day} * ${days_week}"],
        ["select_multiple controls", "control", "Did the employer do any of these?",
         "ນາຍຈ້າງໄດ້ເຮັດສິ່ງເຫຼົ່ານີ້ບໍ?"],
        ["select_one yn", "can_leave", "Could you leave the job if you wanted?",
         "ທ່ານສາມາດອອກຈາກວຽກໄດ້ບໍ ຖ້າຕ້ອງການ?"],
        ["text", "leave_why", "What stopped you from leaving?", "ຫຍັງເຮັດໃຫ້ທ່ານອອກບໍ່ໄດ້?",
         None, None, "${can_leave} = 'no'"],
        ["end group"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)", "label::Lao (lo)"],
        ["yn", "yes", "Yes", "ແມ່ນ"],
        ["yn", "no", "No", "ບໍ່"],
        ["sectors", "factory", "Factory", "ໂຮງງານ"],
        ["sectors", "farm", "Farm", "ສວນ"],
        ["sectors", "domestic", "Domestic work", "ແມ່ບ້ານ"],
        ["sectors", "fishing", "Fishing boat", "ເຮືອຫາປາ"],
        ["controls", "documents", "Kept my documents", "ເກັບເອກະສານຂອງຂ້ອຍ"],
        ["controls", "wages", "Kept my wages", "ເກັບຄ່າຈ້າງຂອງຂ້ອຍ"],
        ["controls", "locked", "Locked me in", "ກັກຂັງຂ້ອຍ"],
        ["controls", "none", "None of these", "ບໍ່ມີ"],
    ],
    "settings": [
        ["form_id", "version", "form_title", "default_language"],
        ["labour_xls", 3, "Labour screening (XLSForm)", "English (en)"],
    ],
    "indicators": [
        ["id", "level", "label::English (en)", "label::Lao (lo)", "when"],
        ["documents_kept", "strong", "Identity documents kept by the employer",
         "ນາຍຈ້າງເກັບເອກະສານ", "selected(${control}, 'documents')"],
        ["cannot_leave", "strong", "Could not leave the job", "ອອກຈາກວຽກບໍ່ໄດ້",
         "${can_leave} = 'no'"],
        ["long_hours", "medium", "More than 60 hours a week", "ເກີນ 60 ຊົ່ວໂມງຕໍ່ອາທິດ",
         "${weekly_hours} > 60"],
    ],
    "outcomes": [
        ["id", "label::English (en)", "label::Lao (lo)", "when"],
        ["likely_victim", "Likely victim of forced labour: refer", "ອາດເປັນຜູ້ເຄາະຮ້າຍ",
         "count-indicators('strong') >= 1"],
        ["concern", "Exploitative work: follow up", "ຕິດຕາມ", "indicator('long_hours')"],
        ["no_finding", "No indicator found", "ບໍ່ພົບຕົວຊີ້ບອກ", "true()"],
    ],
}

# ---- unsupported.xlsx: every row here is something Intake cannot take ----

UNSUPPORTED = {
    "survey": [
        ["type", "name", "label", "relevant", "choice_filter", "appearance"],
        ["select_one yn", "consent_ok", "Do you agree?"],               # row 2
        ["begin repeat", "jobs", "Each job"],                           # row 3
        ["text", "employer", "Employer name"],                          # row 4
        ["end repeat"],                                                 # row 5
        ["geopoint", "where", "Where are you?"],                        # row 6
        ["image", "photo", "Photo of the document"],                    # row 7
        ["select_one_from_file towns.csv", "town", "Town"],             # row 8
        ["rating", "stars", "How was it?"],                             # row 9
        ["text", "why", "Why?", "${nope} = 'yes'"],                     # row 10
        ["select_one yn", "filtered", "Filtered", None, "yes"],         # row 11
        ["text", "style", "Styled", None, None, "multiline"],           # row 12
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
    ],
    "settings": [
        ["form_id", "version"],
        ["unsupported_xls", "1"],
    ],
}


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet_xml(rows, strings, inline_every):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData>']
    n = 0
    for r, row in enumerate(rows, start=1):
        if not row:
            continue
        cells = []
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            ref = "%s%d" % (col_name(c), r)
            if isinstance(v, bool):
                cells.append('<c r="%s" t="b"><v>%d</v></c>' % (ref, v))
            elif isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            else:
                n += 1
                if inline_every and n % inline_every == 0:
                    cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, escape(v)))
                else:
                    if v not in strings:
                        strings[v] = len(strings)
                    cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, strings[v]))
        out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    out.append("</sheetData></worksheet>")
    return "".join(out)


def write(path, sheets):
    strings = {}
    parts = {}
    names = list(sheets)
    for i, name in enumerate(names, start=1):
        parts["xl/worksheets/sheet%d.xml" % i] = sheet_xml(sheets[name], strings, 7)
    sst = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'count="%d" uniqueCount="%d">' % (len(strings), len(strings))]
    for s in sorted(strings, key=strings.get):
        # Rich text runs, as spreadsheet programs write formatted cells.
        if strings[s] % 5 == 4 and len(s) > 4:
            sst.append("<si><r><t>%s</t></r><r><rPr><b/></rPr><t>%s</t></r></si>"
                       % (escape(s[:3]), escape(s[3:])))
        else:
            sst.append('<si><t xml:space="preserve">%s</t></si>' % escape(s))
    sst.append("</sst>")
    parts["xl/sharedStrings.xml"] = "".join(sst)
    parts["xl/workbook.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i, i)
                  for i, n in enumerate(names, start=1))
        + "</sheets></workbook>")
    parts["xl/_rels/workbook.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>'
                  % (i, i) for i in range(1, len(names) + 1))
        + '<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/'
          '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' % (len(names) + 1)
        + "</Relationships>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml",
                     "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"] + \
                sorted(p for p in parts if p.startswith("xl/worksheets/")):
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, parts[name].encode("utf-8"))


if __name__ == "__main__":
    write(os.path.join(HERE, "labour.xlsx"), LABOUR)
    write(os.path.join(HERE, "unsupported.xlsx"), UNSUPPORTED)
