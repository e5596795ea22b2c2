/* One line per extractor, most specific format first (see extract_int.h).
 * Adding a format = one ex_<name>.c defining spoor_ex_<name> + one line. */
X(empty)
X(pdf)
X(ooxml)
X(archive)
X(xls)
X(doc)
X(rtf)
X(mbox)
X(eml)
X(html)
X(text)
X(binary)
