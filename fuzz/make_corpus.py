#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (small inputs the project
makes itself, committed under fuzz/corpus/<target>/).

    fuzz/make_corpus.py [path/to/spoor]

The spoor binary, when given, builds a tiny index for the store target.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "cli"))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))
import formats  # noqa: E402
import make_case  # noqa: E402
import pst  # noqa: E402

P = make_case.prose(7, 40)


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    msg = ("From: a@studio.example\nTo: b@x.example\nSubject: hi\n"
           "Date: Wed, 03 Dec 2014 10:11:12 +0000\nMessage-ID: <s@x>\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n"
           "--B\nContent-Type: text/plain; charset=iso-8859-1\n"
           "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 " + P +
           "\n--B\nContent-Type: text/html\n\n<p>" + P + "</p>\n--B\n"
           "Content-Type: application/octet-stream; name=a.bin\n"
           "Content-Transfer-Encoding: base64\n\naGVsbG8=\n--B--\n")
    signed = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
              "d=studio.example;\n\ts=sel; t=1417601480; x=1417687880; "
              "l=20;\n\tbh=rdxFrtOeQ67dH/sxCrl0spmw1tNarMLTF7xU+SU5WHc=;\n"
              "\th=From:To:Subject:Date:Message-ID;\n\tb=d97IOEUPDBJ767n9OiWn"
              "90i5Kle5aP2yX0z0QWzGzN56ke3QmHIzSOM\n" + msg)
    put("text", "utf8.txt", "caf\u00e9 \u201cquoted\u201d \ufb01ne 1,234.50\n" + P)
    put("text", "utf16.txt", b"\xff\xfe" + ("utf16 " + P).encode("utf-16-le"))
    put("text", "latin1.txt", ("na\u00efve " + P).encode("latin-1"))
    put("eml", "multipart.eml", msg)
    put("eml", "signed.eml", signed)
    put("mbox", "two.mbox", "From a Mon Jan  1 00:00:00 2014\n" + msg +
        "\nFrom b Mon Jan  1 00:00:00 2014\nFrom: x\nSubject: s\n\nbody\n")
    put("html", "page.html", "<!DOCTYPE html><html><head><meta name=date "
        "content=2014-12-01><style>x{}</style></head><body><p>" + P +
        "</p><script>x</script></body></html>")
    put("rtf", "memo.rtf", formats.rtf([P, "second \\'e9 para"]))
    put("ooxml", "memo.docx", formats.docx([P], deleted="gone",
                                           comment="note"))
    put("ooxml", "sheet.xlsx", formats.xlsx(
        [("S", [["a", 1.5, ("date", 41976)], [P, 2, 3]])]))
    put("ooxml", "deck.pptx", formats.pptx([[P], ["two"]]))
    put("odf", "report.odt", formats.odf("odt", ["one", P]))
    put("odf", "sheet.ods", formats.odf("ods", [["a", 1.5], [P, 2]]))
    put("odf", "slides.odp", formats.odf("odp", [P, "two"]))
    put("flat_odf", "report.fodt", formats.flat_odf("odt", ["one", P]))
    put("flat_odf", "sheet.fods", formats.flat_odf("ods", [[P, 3.25]]))
    # fuzz/corpus/msg/*.msg are written by tests/support/make_msg (libgsf),
    # which this script does not build: they are kept as they are
    put("pdf", "two-pages.pdf", formats.pdf([formats.wrap_words(P)[:3],
                                             ["page two"]]))
    put("archive", "files.zip", formats.zip_of([("a.txt", P.encode()),
                                                ("d/", b"")]))
    put("archive", "files.tar.gz", formats.tar_gz_of([("a.txt", P.encode())]))
    put("xls", "sheet.xls", formats.xls([["a", 1.5], [P[:100], 2]]))
    put("item", "nested.mbox", "From a Mon Jan  1 00:00:00 2014\n" +
        formats.mime_with_attachment(P, "f.zip", formats.zip_of(
            [("in.txt", P.encode())]), "n@x", "Mon, 01 Dec 2014 00:00:00 +0000"))
    put("item", "plain.txt", P)
    put("pst", "mail.pst", pst.write([pst.Folder("Inbox", [pst.Message(
        "hi", P, submit=1417000000, delivery=1417000100,
        message_id="<p@x>", attachments=[("a.txt", P.encode())])])]))

    def record(kind, payload):
        return kind + len(payload).to_bytes(4, "little") + payload
    put("pst_message", "message.wire", record(b"T", ("Subject: s\n\n" + P)
                                              .encode()) +
        record(b"D", b"submitted\x002014-11-26T11:06:40Z\x00PST\x00") +
        record(b"M", b"subject\x00s\x00") +
        record(b"C", b"a.txt\x00\x00" + P.encode()) +
        record(b"S", b"\xfb\xff\xff\xffb.bin\x00too big"))
    put("normalise", "mixed.txt", "> Quoted,\r\nre-\nwrapped \u00e9\u0301 "
        "\ufb01 \uff11\uff12 1,234.50 1.000.000 \xff\xfe")
    put("dkim", "signed.eml", signed)
    put("dkim", "unsigned.eml", msg)
    with tempfile.TemporaryDirectory() as t:
        doc = formats.word97(formats.docx([P]), os.path.join(t, "lo"))
        put("doc", "memo.doc", doc)
        if len(sys.argv) > 1:
            with open(os.path.join(t, "a.txt"), "w") as f:
                f.write(P)
            subprocess.run([sys.argv[1], "-i", os.path.join(t, "ix"), "add",
                            "-c", "c", os.path.join(t, "a.txt")], check=True,
                           capture_output=True)
            with open(os.path.join(t, "ix", "catalogue.sqlite"), "rb") as f:
                put("store", "catalogue.sqlite", f.read())
            for name in os.listdir(os.path.join(t, "ix")):
                if name.endswith(".spx"):
                    with open(os.path.join(t, "ix", name), "rb") as f:
                        put("segment", "one-item.spx", f.read())


if __name__ == "__main__":
    main()
