"""Fixture generators for the formats spoor reads, written from scratch by
the tests (no fixture is downloaded or committed): OOXML (docx, xlsx, pptx)
with zipfile, a minimal PDF writer, RTF, legacy xls (xlwt, Debian's
python3-xlwt), archives (zipfile, tarfile, bsdtar for 7z) and MIME mail.
"""
import base64
import io
import os
import subprocess
import tarfile
import zipfile
from xml.sax.saxutils import escape

CT_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/'
           'vnd.openxmlformats-package.relationships+xml"/><Default '
           'Extension="xml" ContentType="application/xml"/>')


def core_xml(created, modified, creator="Jane Doe", last="John Roe"):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/'
            'dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:creator>{creator}</dc:creator>'
            f'<cp:lastModifiedBy>{last}</cp:lastModifiedBy>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}'
            '</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}'
            '</dcterms:modified></cp:coreProperties>')


REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OD_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CORE_REL = ("http://schemas.openxmlformats.org/package/2006/relationships/"
            "metadata/core-properties")
CT = "application/vnd.openxmlformats-"


def root_rels(main):
    return (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL_NS}">'
            f'<Relationship Id="rId1" Type="{OD_REL}/officeDocument" '
            f'Target="{main}"/><Relationship Id="rId2" Type="{CORE_REL}" '
            'Target="docProps/core.xml"/><Relationship Id="rId3" '
            f'Type="{OD_REL}/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>')


def content_types(overrides):
    o = "".join(f'<Override PartName="{p}" ContentType="{t}"/>'
                for p, t in overrides)
    return (CT_HEAD + o + '<Override PartName="/docProps/core.xml" '
            f'ContentType="{CT}package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="'
            f'{CT}officedocument.extended-properties+xml"/></Types>')


APP_XML = ('<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://'
           'schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           '<Application>Microsoft Office Word</Application></Properties>')


def docx(paragraphs, created="2014-11-02T09:00:00Z",
         modified="2014-12-03T10:11:12Z", deleted=None, comment=None):
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = ""
    for p in paragraphs:
        body += f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
    if deleted:
        body += (f'<w:p><w:del><w:r><w:delText>{escape(deleted)}</w:delText>'
                 '</w:r></w:del></w:p>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types(
            [("/word/document.xml",
              CT + "officedocument.wordprocessingml.document.main+xml")]))
        z.writestr("_rels/.rels", root_rels("word/document.xml"))
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {W}>'
                   f'<w:body>{body}</w:body></w:document>')
        if comment:
            z.writestr("word/comments.xml", f'<?xml version="1.0"?><w:comments '
                       f'{W}><w:comment w:id="0"><w:p><w:r><w:t>'
                       f'{escape(comment)}</w:t></w:r></w:p></w:comment>'
                       '</w:comments>')
        z.writestr("docProps/core.xml", core_xml(created, modified))
        z.writestr("docProps/app.xml", APP_XML)
    return out.getvalue()


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(sheets, created="2014-11-05T08:00:00Z",
         modified="2014-12-04T12:00:00Z"):
    """sheets: list of (name, rows); a cell is str, int/float, or
    ('date', serial)."""
    strings, index = [], {}

    def sst(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]

    sheet_xml = []
    for name, rows in sheets:
        rx = ""
        for r, row in enumerate(rows, 1):
            cells = ""
            for c, v in enumerate(row):
                ref = f"{col_name(c)}{r}"
                if isinstance(v, tuple):
                    cells += f'<c r="{ref}" s="1"><v>{v[1]}</v></c>'
                elif isinstance(v, str):
                    cells += f'<c r="{ref}" t="s"><v>{sst(v)}</v></c>'
                else:
                    cells += f'<c r="{ref}"><v>{v!r}</v></c>'
            rx += f'<row r="{r}">{cells}</row>'
        sheet_xml.append('<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                         'openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                         f'{rx}</sheetData></worksheet>')
    NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
          'relationships"')
    wb = "".join(f'<sheet name="{escape(n)}" sheetId="{i+1}" r:id="rId{i+1}"/>'
                 for i, (n, _) in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i+1}" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/'
                   f'worksheet" Target="worksheets/sheet{i+1}.xml"/>'
                   for i in range(len(sheets)))
    rels += (f'<Relationship Id="rIdS" Type="{OD_REL}/sharedStrings" '
             'Target="sharedStrings.xml"/><Relationship Id="rIdT" '
             f'Type="{OD_REL}/styles" Target="styles.xml"/>')
    overrides = [("/xl/workbook.xml",
                  CT + "officedocument.spreadsheetml.sheet.main+xml"),
                 ("/xl/sharedStrings.xml",
                  CT + "officedocument.spreadsheetml.sharedStrings+xml"),
                 ("/xl/styles.xml", CT + "officedocument.spreadsheetml.styles+xml")]
    overrides += [(f"/xl/worksheets/sheet{i+1}.xml",
                   CT + "officedocument.spreadsheetml.worksheet+xml")
                  for i in range(len(sheets))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types(overrides))
        z.writestr("_rels/.rels", root_rels("xl/workbook.xml"))
        z.writestr("docProps/app.xml", APP_XML)
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS}>'
                   f'<sheets>{wb}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?>'
                   '<Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships">{rels}</Relationships>')
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns='
                   '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
                   + '</sst>')
        z.writestr("xl/styles.xml", '<?xml version="1.0"?><styleSheet xmlns='
                   '"http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
                   '</cellXfs></styleSheet>')
        for i, x in enumerate(sheet_xml):
            z.writestr(f"xl/worksheets/sheet{i+1}.xml", x)
        z.writestr("docProps/core.xml", core_xml(created, modified))
    return out.getvalue()


def csv_of(rows, thousands=True):
    """The CSV a spreadsheet program would export: numbers as displayed."""
    def quote(s):
        return '"' + s.replace('"', '""') + '"' if "," in s else s

    def show(v):
        if isinstance(v, float):
            return quote(f"{v:,.2f}" if thousands else f"{v:.2f}")
        if isinstance(v, int):
            return quote(f"{v:,}" if thousands else str(v))
        return quote(v)
    return "\r\n".join(",".join(show(v) for v in row) for row in rows) + "\r\n"


def pptx(slides):
    A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT_HEAD + '</Types>')
        z.writestr("ppt/presentation.xml", f'<?xml version="1.0"?>'
                   f'<p:presentation {P}/>')
        for i, texts in enumerate(slides, 1):
            paras = "".join(f"<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>"
                            for t in texts)
            z.writestr(f"ppt/slides/slide{i}.xml", f'<?xml version="1.0"?>'
                       f'<p:sld {P} {A}><p:cSld><p:spTree><p:sp><p:txBody>'
                       f'{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>')
        z.writestr("docProps/core.xml", core_xml("2014-10-01T10:00:00Z",
                                                 "2014-10-02T10:00:00Z"))
    return out.getvalue()


def pdf(lines_per_page, creation="D:20141203101112+01'00'",
        mod="D:20141204000000Z", producer="spoor test writer"):
    """A minimal PDF: Helvetica text, one line per Tj, valid xref."""
    objs = []

    def add(body):
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    pages_id = len(objs) + 1 + 2 * len(lines_per_page)
    kids = []
    for lines in lines_per_page:
        ops = [b"BT /F1 10 Tf 40 800 Td 12 TL"]
        for ln in lines:
            esc = (ln.replace("\\", "\\\\").replace("(", "\\(")
                   .replace(")", "\\)")).encode("cp1252")
            ops.append(b"(" + esc + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream +
                      b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 842]"
                        b" /Resources << /Font << /F1 %d 0 R >> >> "
                        b"/Contents %d 0 R >>" % (pages_id, font, content)))
    assert add(b"<< /Type /Pages /Kids [" +
               b" ".join(b"%d 0 R" % k for k in kids) +
               b"] /Count %d >>" % len(kids)) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Producer (" + producer.encode() + b") /CreationDate (" +
               creation.encode() + b") /ModDate (" + mod.encode() +
               b") /Author (Finance Team) >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d"
            b"\n%%%%EOF\n" % (len(objs) + 1, catalog, info, xref))
    return bytes(out)


def wrap_words(text, width=80):
    lines, line = [], ""
    for w in text.split():
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines


def rtf(paragraphs):
    body = "".join(
        "\\pard " + p.replace("\\", "\\\\").replace("{", "\\{")
        .replace("}", "\\}") + "\\par\n" for p in paragraphs)
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times;}}"
            "{\\colortbl;\\red0\\green0\\blue0;}"
            "{\\info{\\title Memo}{\\creatim\\yr2014\\mo12\\dy5\\hr9\\min30}"
            "{\\revtim\\yr2014\\mo12\\dy6\\hr10\\min0}}"
            "{\\*\\generator Test 1.0;}\n" + body +
            "caf\\'e9 \\u8220\\'93quoted\\u8221\\'94\\par}").encode()


def xls(rows, sheet="Budget"):
    import xlwt  # Debian: python3-xlwt
    wb = xlwt.Workbook()
    ws = wb.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:'
          'presentation:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"')
ODF_MIME = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}


def odf_body(kind, parts):
    """The office:body of an OpenDocument: odt paragraphs (a tracked
    deletion and a comment in the second); ods a sheet of rows (a cell is
    a str or a number); odp a slide per paragraph."""
    if kind == "odt":
        ps = []
        for i, p in enumerate(parts):
            extra = ""
            if i == 1:
                extra = ('<office:annotation><dc:creator>A</dc:creator>'
                         '<text:p>reviewer comment kept</text:p>'
                         '</office:annotation>')
            ps.append(f'<text:p>{escape(p)}{extra}</text:p>')
        return ('<office:text><text:tracked-changes><text:changed-region '
                'text:id="c1"><text:deletion><text:p>deleted words kept'
                '</text:p></text:deletion></text:changed-region>'
                '</text:tracked-changes>' + "".join(ps) + '</office:text>')
    if kind == "ods":
        rows = []
        for row in parts:
            cells = []
            for c in row:
                if isinstance(c, str):
                    cells.append('<table:table-cell office:value-type="string">'
                                 f'<text:p>{escape(c)}</text:p>'
                                 '</table:table-cell>')
                else:
                    cells.append('<table:table-cell office:value-type="float" '
                                 f'office:value="{c!r}"><text:p>{c:,.2f}'
                                 '</text:p></table:table-cell>')
            cells.append('<table:table-cell table:number-columns-repeated='
                         '"1000000"/>')
            rows.append('<table:table-row>' + "".join(cells) +
                        '</table:table-row>')
        rows.append('<table:table-row table:number-rows-repeated="1048000">'
                    '<table:table-cell table:number-columns-repeated="1024"/>'
                    '</table:table-row>')
        return ('<office:spreadsheet><table:table table:name="Budget">' +
                "".join(rows) + '</table:table></office:spreadsheet>')
    pages = "".join(
        f'<draw:page draw:name="p{i}"><draw:frame><draw:text-box><text:p>'
        f'{escape(p)}</text:p></draw:text-box></draw:frame></draw:page>'
        for i, p in enumerate(parts))
    return f'<office:presentation>{pages}</office:presentation>'


def odf_meta(created, modified):
    return (f'<office:meta><meta:creation-date>{created}</meta:creation-date>'
            f'<dc:date>{modified}</dc:date><dc:title>Planted</dc:title>'
            '<meta:initial-creator>Spoor Test</meta:initial-creator>'
            '</office:meta>')


def odf(kind, parts, created="2014-11-06T08:00:00", modified="2014-12-05T09:30:00"):
    """An OpenDocument package (odt, ods, odp) as LibreOffice lays it out:
    a stored mimetype member first, then content.xml, styles.xml and
    meta.xml."""
    mime = "application/vnd.oasis.opendocument." + ODF_MIME[kind]
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               f'{ODF_NS}><office:automatic-styles/><office:body>'
               f'{odf_body(kind, parts)}</office:body>'
               '</office:document-content>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
              f'{ODF_NS}/>')
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            f'{ODF_NS}>{odf_meta(created, modified)}</office:document-meta>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype", (2014, 11, 6, 8, 0, 0)), mime,
                   compress_type=zipfile.ZIP_STORED)
        for name, data in (("content.xml", content), ("styles.xml", styles),
                           ("meta.xml", meta)):
            z.writestr(zipfile.ZipInfo(name, (2014, 11, 6, 8, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def flat_odf(kind, parts, created="2014-11-06T08:00:00",
             modified="2014-12-05T09:30:00"):
    """The flat XML form (fodt, fods, fodp) of odf(kind, parts)."""
    mime = "application/vnd.oasis.opendocument." + ODF_MIME[kind]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
            f'{ODF_NS} office:mimetype="{mime}">{odf_meta(created, modified)}'
            f'<office:body>{odf_body(kind, parts)}</office:body>'
            '</office:document>').encode()


def zip_of(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2014, 11, 20, 8, 30, 0))
            info.compress_type = compression
            z.writestr(info, data)
    return out.getvalue()


def tar_gz_of(members, mtime=1417000000):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = mtime
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def seven_zip(folder, out_path):
    """7z of a folder, written by libarchive's bsdtar."""
    subprocess.run(["bsdtar", "--format", "7zip", "-cf", out_path, "-C",
                    folder, "."], check=True)


def mime_with_attachment(body, att_name, att_bytes, msgid, date,
                         ctype="application/zip"):
    b64 = base64.encodebytes(att_bytes).decode()
    return (f"From: Leaker <leak@x.example>\nTo: desk@news.example\n"
            f"Subject: files\nDate: {date}\nMessage-ID: <{msgid}>\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=BB\n\n"
            "--BB\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{body}\n--BB\nContent-Type: {ctype}; name={att_name}\n"
            f"Content-Disposition: attachment; filename={att_name}\n"
            f"Content-Transfer-Encoding: base64\n\n{b64}\n--BB--\n")


def word97(docx_bytes, workdir):
    """A Word 97-2003 .doc made from a docx by LibreOffice (Debian's
    libreoffice-writer-nogui), headless, with a private profile."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, "src.docx")
    with open(src, "wb") as f:
        f.write(docx_bytes)
    subprocess.run(["soffice", "--headless",
                    "-env:UserInstallation=file://" + os.path.join(workdir,
                                                                   "profile"),
                    "--convert-to", "doc", "--outdir", workdir, src],
                   check=True, capture_output=True, timeout=180)
    with open(os.path.join(workdir, "src.doc"), "rb") as f:
        return f.read()
