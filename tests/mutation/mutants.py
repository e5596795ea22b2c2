"""The mutation catalogue of make mutate (tests/mutation/run.py).

Each mutant is a small, plausible bug: the file it lives in, what it
breaks (in words, so that the entry can be found again after the code
moves), the exact text it finds (once) and what it puts there. An entry
whose text is no longer in its file is reported as stale: update it with
the refactoring that moved the code.
"""

M = []


def mutant(stage, file, breaks, find, replace):
    M.append({"id": f"{stage}-{len(M) + 1:02d}", "stage": stage,
              "file": file, "breaks": breaks, "find": find,
              "replace": replace})


# ---- normalise ----
mutant("normalise", "lib/normalise/normalise.c",
       "case folding of non-ASCII letters dropped (Ä and ä differ)",
       "UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK", "UTF8PROC_STRIPMARK")
mutant("normalise", "lib/normalise/normalise.c",
       "combining marks kept (é and e differ)",
       "UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK", "UTF8PROC_CASEFOLD")
mutant("normalise", "lib/normalise/normalise.c",
       "trailing zeros of a decimal fraction kept (14.00 is not 14)",
       "for (k = j; k > i + 1 && s[k - 1] == '0'; k--)",
       "for (k = j; k > j; k--)")
mutant("normalise", "lib/normalise/normalise.c",
       "lower-case letters of other scripts dropped (Cyrillic, Greek)",
       "    case UTF8PROC_CATEGORY_LL:\n", "")
mutant("normalise", "lib/normalise/normalise.c",
       "the second point of a version number dropped (1.0.4 is 104)",
       "return POINT_KEEP; /* a second point",
       "return POINT_DROP; /* a second point")
mutant("normalise", "lib/normalise/normalise.c",
       "a point between digits is never canonical (1.4 is 14)",
       "if (i == 0 || i + 1 >= len || !is_digit(s[i - 1]) || "
       "!is_digit(s[i + 1]))",
       "if (1)")

# ---- fingerprint ----
mutant("fingerprint", "lib/fingerprint/winnow.c",
       "the rolling hash keeps the symbol that left the k-gram",
       "h = rotl(h, 1) ^ rotl(SYM(i - 1), rot_k) ^ SYM(i + k - 1);",
       "h = rotl(h, 1) ^ SYM(i + k - 1);")
mutant("fingerprint", "lib/fingerprint/winnow.c",
       "the wide kernel's window is one k-gram too long (the guarantee)",
       "return n - k + 1 < w ? (unsigned)(n - k + 1) : w;",
       "return n - k + 1 < w ? (unsigned)(n - k + 1) : w + 1;")
mutant("fingerprint", "lib/fingerprint/winnow.c",
       "a tie in the window keeps the older minimum, not the newest",
       "                int le = y <= minh;", "                int le = y < minh;")

# ---- detect ----
mutant("extract", "lib/detect/detect.c",
       "an mbox's messages split at 'From ' after any line, not a blank one",
       "           (i == 0 || (i >= 2 && d[i - 1] == '\\n' &&\n"
       "                       (d[i - 2] == '\\n' ||",
       "           (i == 0 || (i >= 2 && d[i - 1] == '\\n' &&\n"
       "                       (1 ||")

# ---- store and segments ----
mutant("store", "lib/store/store_priv.h",
       "no cap on postings per fingerprint and item (repetitive content)",
       "#define MAX_POSTINGS_PER_HASH 16", "#define MAX_POSTINGS_PER_HASH 1")
mutant("store", "lib/store/segment.c",
       "a segment renamed into place without fsync",
       "    synced = fsync(w->fd) == 0;", "    synced = 1;")
mutant("store", "lib/store/segment.c",
       "a bucket's checksum is not compared (damage read silently)",
       "if (bucket_check(c->seg->id, c->bucket, c->p, (size_t)(c->end - "
       "c->p)) !=", "if (0 &&")
mutant("store", "lib/store/store_segments.c",
       "a segment's identity is not compared with the catalogue's",
       "if (g->id != (uint64_t)sqlite3_column_int64(st, 1) ||", "if (0 &&")
mutant("store", "lib/store/store_read.c",
       "tombstones ignored: a removed collection's documents still match",
       "if (s->n_gone && spoor_store__is_gone(s, en->content))", "if (0)")
mutant("store", "lib/store/store_segments.c",
       "segments no commit registered are left behind",
       "if (!known && n < 200)", "if (0)")
mutant("store", "lib/store/text_parts.c",
       "stored texts carry no checksum (a damaged text reads as text)",
       "ZSTD_c_checksumFlag, 1)", "ZSTD_c_checksumFlag, 0)")
mutant("store", "lib/store/store.c",
       "writers take no lock (two adds at once collide)",
       "SPOOR_TRY(take_lock(s, path, !!(flags & SPOOR_STORE_WAIT)));", ";")
mutant("store", "lib/store/store.c",
       "an index on read-only media is opened as a writable one",
       "if (s->readonly && access(path, W_OK) < 0) {", "if (0) {")
mutant("store", "lib/store/store_write.c",
       "an email's thread root ignores References (In-Reply-To first)",
       'const char *keys[] = {"references", "in-reply-to", "message-id"};',
       'const char *keys[] = {"in-reply-to", "references", "message-id"};')

mutant("store", "lib/store/spill.c",
       "a spilled item keeps one position too few of a repeated key",
       "if (same > MAX_POSTINGS_PER_HASH)",
       "if (same > MAX_POSTINGS_PER_HASH - 1)")
mutant("store", "lib/store/spill.c",
       "the postings pending when a batch with runs commits are lost",
       "    if ((error = spill_pending(s)) < 0)\n        return error;\n"
       "    return spoor_segment__merge",
       "    s->n_pending = 0;\n    return spoor_segment__merge")
# ---- match, evidence, verdict ----
mutant("verdict", "lib/match/verdict.c",
       "released needs more than --released-min, not at least",
       "if (cov_release > 0 && cov_release >= opts->released_min)",
       "if (cov_release > 0 && cov_release > opts->released_min)")
mutant("verdict", "lib/match/verdict.c",
       "internal-only needs more than --internal-min, not at least",
       "if (cov_internal > 0 && cov_internal >= opts->internal_min)",
       "if (cov_internal > 0 && cov_internal > opts->internal_min)")
mutant("verdict", "lib/match/verdict.c",
       "partially-released ignores --min-share",
       "return chars > 0 && chars >= min_chars && share >= min_share;",
       "return chars > 0 && chars >= min_chars;")
mutant("verdict", "lib/match/verdict.c",
       "partially-released ignores --min-evidence",
       "return chars > 0 && chars >= min_chars && share >= min_share;",
       "return chars > 0 && share >= min_share;")
mutant("match", "lib/match/match.c",
       "a date on the event's own day counts as postdating it",
       "strcmp(day, ev[i].date) <= 0)", "strcmp(day, ev[i].date) < 0)")
mutant("match", "lib/match/match.c",
       "check -c lets other collections' candidates take the places",
       "if (opts->only && opts->n_only) {\n        /* -c: only",
       "if (0) {\n        /* -c: only")
mutant("match", "lib/match/match.c",
       "substance counts boilerplate gaps (an exact copy is 97% of itself)",
       "    if (masked) {\n        spoor_spans out",
       "    if (0) {\n        spoor_spans out")
mutant("match", "lib/match/match.c",
       "--max-sources ignored: every candidate verified",
       "kept = n_cands < opts->max_sources ? n_cands : opts->max_sources;",
       "kept = n_cands;")
mutant("match", "lib/store/store_read.c",
       "a fingerprint in exactly --common items counts as boilerplate",
       "if (++distinct > common) {", "if (++distinct >= common) {")
mutant("match", "lib/match/match.c",
       "the exact copy is not always verified, whatever its rank",
       "    if (exact_id >= 0) {\n        /* The exact copy",
       "    if (0) {\n        /* The exact copy")
mutant("match", "lib/match/match.c",
       "the first release is the latest release, not the earliest",
       "strcmp(o->date, best->date) < 0 ||", "strcmp(o->date, best->date) > 0 ||")
mutant("match", "lib/match/relation.c",
       "an undated source counts as earlier than a dated one",
       "return x->when != NULL;", "return x->when == NULL;")
mutant("match", "lib/match/chain.c",
       "regions shorter than --min-region are kept",
       "if (qb - qa < min_region)", "if (0)")

mutant("match", "lib/match/chain.c",
       "a run joined across a long query's windows keeps the first piece's "
       "byte end",
       "                p->q_end = r[i].q_end;\n", "")
mutant("match", "lib/match/query.c",
       "a long query's byte end of a span is where its last character "
       "begins",
       "    *end = i == SIZE_MAX ? b : v->st.end[i];",
       "    *end = i == SIZE_MAX ? b : v->st.start[i];")
# ---- collections ----
mutant("collections", "lib/match/collections.c",
       "overlap: a content held whole elsewhere shares no characters",
       "a->in[b].chars = a->substance;", "a->in[b].chars = 0;")
mutant("collections", "lib/match/collections.c",
       "timeline: an item's first release counted as seen before",
       "            first = (long)k;\n            t->counts[3 * k + 1]++;",
       "            first = (long)k;\n            t->counts[3 * k + 2]++;")
mutant("collections", "lib/store/segment.c",
       "the postings join marks nothing as shared (no content checked)",
       "            mark(bits, n_bits, first);\n"
       "            mark(bits, n_bits, e.content);", "")

# ---- auth ----
mutant("auth", "lib/auth/dkim_verify.c",
       "a DKIM key published on the day a message surfaced is not weak",
       "strcmp(key->published, d->surfaced) <= 0",
       "strcmp(key->published, d->surfaced) < 0")
mutant("auth", "lib/auth/dkim_verify.c",
       "a signature with l= (part of the body) is not weak",
       "        if (o->length >= 0) {\n            weak = 1;",
       "        if (o->length >= 0) {\n            weak = 0;")

# ---- render ----
mutant("render", "lib/render/render_json.c",
       "coverage.any reported in percent",
       "SPOOR_TRY(spoor_json_fraction(out, r->cov_any));",
       "SPOOR_TRY(spoor_json_fraction(out, 100 * r->cov_any));")
mutant("render", "lib/render/render_json.c",
       "a match's kind left out of the JSON",
       '    SPOOR_TRY(spoor_buf_puts(out, ", \\"kind\\": "));\n'
       "    SPOOR_TRY(jstr(out, o->kind));\n", "")
mutant("render", "lib/render/render_json.c",
       "substantive_chars reports the compared characters",
       "r->compared, r->substance, item->doc.header_bytes,",
       "r->compared, r->compared, item->doc.header_bytes,")
mutant("render", "lib/render/render_html.c",
       "'<' in a name or text is not escaped in the HTML report",
       '        else if (c == \'<\')\n'
       '            error = spoor_buf_puts(out, "&lt;");',
       '        else if (c == \'<\')\n'
       '            error = spoor_buf_puts(out, "<");')

# ---- extract and walk ----
mutant("extract", "lib/walk/walk.c",
       "an email's header block is fingerprinted as body",
       "        pages_done((const unsigned char *)data + len, NULL);\n"
       "    item->doc.header_bytes = header_bytes_of(&item->doc);",
       "        pages_done((const unsigned char *)data + len, NULL);\n"
       "    item->doc.header_bytes = 0;")
mutant("extract", "lib/extract/ex_archive.c",
       "an archive's expansion ratio is not watched (decompression bombs)",
       "                if (expanded / read_so_far(a, packed) >=\n"
       "                    lim->max_expansion_ratio) {",
       "                if (0) {")
mutant("extract", "lib/extract/ex_archive.c",
       "expansion judged against the whole archive, not what was read",
       "if (expanded / read_so_far(a, packed) >=",
       "if (expanded / packed >=")
mutant("extract", "lib/extract/ex_archive.c",
       "MAX_MEMBERS not applied to archives",
       "if (++members > lim->max_members) {", "if (++members == 0) {")

# ---- this session: hits by source, the region cap, streamed XML, push ----
mutant("match", "lib/match/hits.c",
       "a source with too many hits is gathered whole, not by unique hits",
       "    return c->count > h->gathered_max ? c->unique : c->count;",
       "    return c->count;")
mutant("match", "lib/match/chain.c",
       "past the region cap the shorter half is kept",
       "        return lx > ly ? -1 : 1;",
       "        return lx < ly ? -1 : 1;")
mutant("extract", "lib/extract/ex_ooxml.c",
       "a streamed docx paragraph does not end its line",
       "        case XML_READER_TYPE_END_ELEMENT:\n"
       "            if (ends_para)\n"
       "                error = spoor_buf_puts(out, \"\\n\");",
       "        case XML_READER_TYPE_END_ELEMENT:\n"
       "            if (0)\n"
       "                error = spoor_buf_puts(out, \"\\n\");")
mutant("store", "lib/store/push.c",
       "push writes the postings of contents the shared index held",
       "    if (e->content >= p->n_map || !(p->how[e->content] & PUSH_POSTINGS))",
       "    if (e->content >= p->n_map || !p->map[e->content])")

# ---- issue 19: reading a shared index, privacy ----
mutant("store", "lib/store/pg_store.c",
       "a bucket's content deltas read as absolute ids",
       "        content = !first && kd == 0 ? content + v : v;",
       "        content = v;")
mutant("store", "lib/store/pg_store.c",
       "the common threshold off by one on a shared index",
       "            if (++distinct > common) {",
       "            if (++distinct > common + 1) {")
mutant("store", "lib/store/pg_store.c",
       "collections listed in the server's collation, not SQLite's",
       "\" FROM spoor.collections c ORDER BY c.date IS NULL, c.date\"\n"
       "             \" COLLATE \\\"C\\\", c.name COLLATE \\\"C\\\"\"",
       "\" FROM spoor.collections c ORDER BY c.date IS NULL, c.date\"\n"
       "             \", c.name\"")
mutant("store", "lib/store/pg_store.c",
       "a prefetched record is not handed over (the record read again)",
       "    if (c && c->rec) { /* prefetched: handed over */",
       "    if (0) {")
mutant("store", "lib/store/push.c",
       "every member sees every collection",
       "    \" (kind = 'release' OR owner = current_user);\"",
       "    \" (true);\"")
mutant("store", "lib/store/push.c",
       "a member's private contents go into the shared batch",
       "    b = &p->batch[p->how[e->content] & PUSH_SHARED ? 0 : 1];",
       "    b = &p->batch[0];")

# ---- issue 20: spoor serve, search ----
mutant("serve", "cli/cmd_serve.c",
       "a form posted with the cookie needs no CSRF token",
       "        if (rq->by_cookie && (!t || !same_secret(t, sv->csrf)))",
       "        if (0)")
mutant("serve", "cli/cmd_serve.c",
       "any session cookie is taken",
       "    return c && same_secret(c, sv->session);",
       "    return c != NULL;")
mutant("match", "lib/match/match.c",
       "an item's page counts the item itself as a source",
       "    if (exact_id >= 0 && exact_id == exclude)\n",
       "    if (exact_id >= 0 && exclude < -1)\n")
mutant("render", "lib/render/render_pages.c",
       "a search snippet is not escaped",
       "        error = spoor_html_escape(o, snip, n);",
       "        error = spoor_buf_put(o, snip, n);")
mutant("store", "lib/store/search.c",
       "the search count keeps contents a removed collection took",
       "\"SELECT count(*) FROM search JOIN contents c ON \"",
       "\"SELECT count(*) FROM search LEFT JOIN contents c ON \"")
mutant("store", "lib/store/search.c",
       "the search index forgets how far it went (texts indexed again)",
       "                              i + k == n ? last : ids[i + k - 1]));",
       "                              0));")

# ---- issue 22: short sorts, read-ahead, spoor-serve ----
mutant("store", "lib/common/radix.c",
       "a short sort's buckets are not stable (equal keys swap)",
       "for (j = i; j > lo && key40(a[j - 1].b) > k; j--)",
       "for (j = i; j > lo && key40(a[j - 1].b) >= k; j--)")
mutant("store", "lib/common/radix.c",
       "a short sort buckets on the wrong bits (fingerprints out of order)",
       "        move16(&tmp[count[key40(a[i].b) >> (40 - bits)]++], &a[i]);",
       "        move16(&tmp[count[key40(a[i].b) >> (39 - bits)]++], &a[i]);")
mutant("store", "lib/store/segment.c",
       "a cold segment is taken for a warm one (nothing is read ahead)",
       "        if (resident(seg, HEADER_SIZE + bucket_of(seg, keys[0]) * 8, page))",
       "        if (!resident(seg, HEADER_SIZE + bucket_of(seg, keys[0]) * 8, page))")
mutant("serve", "cli/main.c",
       "spoor serve hands spoor-serve the default index, not the one named",
       "    args[2] = (char *)g->index;",
       "    args[2] = \"spoor-index\";")
