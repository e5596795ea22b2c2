/*
 * ex_xls.c: legacy Excel workbooks (BIFF in an OLE2 compound file) with
 * FreeXL.
 *
 * FreeXL reads only from a path, and spoor never writes input content to
 * disk, so the bytes go to an anonymous memory file (memfd_create) opened
 * through /proc/self/fd. Every sheet comes out like an xlsx sheet: its name,
 * then a line per row with tab-separated cells; numbers as the shortest
 * round-tripping decimal (%.15g), dates as FreeXL's ISO text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <freexl.h>

#include "extract_int.h"

static int put_cell(spoor_buf *out, const FreeXL_CellValue *c)
{
    char num[64];
    switch (c->type) {
    case FREEXL_CELL_INT:
        return spoor_buf_printf(out, "%d", c->value.int_value);
    case FREEXL_CELL_DOUBLE:
        snprintf(num, sizeof(num), "%.15g", c->value.double_value);
        return spoor_buf_puts(out, num);
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME:
    case FREEXL_CELL_TIME:
        return c->value.text_value ? spoor_buf_puts(out, c->value.text_value)
                                   : 0;
    default:
        return 0;
    }
}

static int extract_xls_here(spoor_doc *doc, const unsigned char *d, size_t len,
                            const spoor_limits *lim)
{
    const void *h = NULL;
    unsigned int sheets = 0, s;
    char path[64];
    int fd, error = 0, rc;

    doc->has_text = 1;
    if ((fd = spoor__memfd_copy("spoor-xls", d, len)) < 0)
        return spoor__error_set(SPOOR_EIO, "memory file: %s", strerror(errno));
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    rc = freexl_open(path, &h);
    if (rc != FREEXL_OK) {
        error = spoor__error_set(
            SPOOR_EINVALID, "xls cannot be read (FreeXL error %d%s)", rc,
            rc == FREEXL_CRAFTED_FILE ? ": severely corrupted or crafted" : "");
        goto done;
    }
    {
        unsigned int pw = 0;
        if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK &&
            pw == FREEXL_BIFF_OBFUSCATED) {
            error = spoor__error_set(SPOOR_EUNSUPPORTED,
                                     "xls is password-protected (encrypted)");
            goto done;
        }
    }
    if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &sheets) != FREEXL_OK)
        sheets = 0;
    for (s = 0; s < sheets && error == 0; s++) {
        const char *name = NULL;
        unsigned int rows = 0, r;
        unsigned short cols = 0, c;
        if (freexl_select_active_worksheet(h, (unsigned short)s) != FREEXL_OK ||
            freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK)
            continue;
        freexl_get_worksheet_name(h, (unsigned short)s, &name);
        SPOOR_TRY(spoor_buf_printf(&doc->text, "%s\n", name ? name : "sheet"));
        for (r = 0; r < rows && error == 0; r++) {
            int first = 1;
            for (c = 0; c < cols && error == 0; c++) {
                FreeXL_CellValue cell;
                if (freexl_get_cell_value(h, r, c, &cell) != FREEXL_OK ||
                    cell.type == FREEXL_CELL_NULL)
                    continue;
                if (!first)
                    SPOOR_TRY(spoor_buf_puts(&doc->text, "\t"));
                first = 0;
                SPOOR_TRY(put_cell(&doc->text, &cell));
            }
            if (!first)
                SPOOR_TRY(spoor_buf_puts(&doc->text, "\n"));
            if (doc->text.size > lim->max_text_bytes)
                break;
        }
        SPOOR_TRY(spoor_buf_puts(&doc->text, "\n"));
    }
done:
    if (h)
        freexl_close(h);
    close(fd);
    if (error == 0)
        error = spoor_ole__summary(doc, d, len);
    return error;
}

/* FreeXL is run in a child process (isolate.c): fuzzing found hostile
 * workbooks that corrupt its stack (in its iconv conversion). */
static int extract_xls(spoor_doc *doc, const unsigned char *d, size_t len,
                       const spoor_limits *lim)
{
    doc->has_text = 1;
    return spoor_extract__isolated(doc, d, len, lim, extract_xls_here,
                                   "FreeXL");
}

const spoor_extractor spoor_ex_xls = {"xls", extract_xls, NULL};
