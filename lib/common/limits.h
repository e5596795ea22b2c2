/*
 * limits.h: every bound libspoor applies to hostile input, in one place.
 *
 * Each is a default that an option may override (spoor_limits); reaching one
 * is reported with its name (the macro name without SPOOR_) and the item is
 * skipped, never silently truncated.
 */
#ifndef SPOOR_LIMITS_H
#define SPOOR_LIMITS_H

/* Largest input file read. Files are memory-mapped, so this bounds address
 * space rather than RAM; 4 GiB keeps text offsets within 32 bits. */
#define SPOOR_MAX_FILE_BYTES ((uint64_t)4 << 30)

/* Largest extracted text per item. Offsets into text are 32-bit and the
 * normaliser holds 12 bytes per canonical character, so 256 MiB of text
 * costs at most ~3 GiB transiently. */
#define SPOOR_MAX_TEXT_BYTES ((size_t)256 << 20)

/* How deep items may nest (mbox ! message ! attachment ! ...). Each level
 * holds its parent's buffers, so depth multiplies memory. */
#define SPOOR_MAX_DEPTH 8

/* Children per container (archive members, messages per mbox,
 * attachments per message). 42.zip-style bombs multiply members by depth. */
#define SPOOR_MAX_MEMBERS ((uint64_t)1000000)

/* One expanded archive member is held in memory while it is read, so this
 * bounds memory per nesting level. */
#define SPOOR_MAX_MEMBER_BYTES ((uint64_t)1 << 30)

/* Total bytes expanded from one archive: bounds work on zip bombs. */
#define SPOOR_MAX_EXPANDED_BYTES ((uint64_t)64 << 30)

/* Expanded bytes per packed byte of one archive. Text compresses about
 * 10:1 and sparse spreadsheets 100:1; bombs reach 10^6:1. Archives smaller
 * than 64 KiB are judged against 64 KiB so tiny archives are not refused. */
#define SPOOR_MAX_EXPANSION_RATIO ((uint64_t)1000)

/* Seconds an extractor run in a child process (FreeXL, libwv) may take on
 * one item before it is killed: a hostile file must not hang a batch. */
#define SPOOR_MAX_ITEM_SECONDS 120

/* Pages read per PDF. */
#define SPOOR_MAX_PDF_PAGES 100000
/* Pages of one PDF (or images) read by OCR at most: Tesseract takes
 * seconds a page; the item's MAX_ITEM_SECONDS bounds it too. 0: no OCR. */
#define SPOOR_MAX_OCR_PAGES 100

/* MIME nesting (multipart inside multipart...) per message: each level is
 * a recursion of the body walk. */
#define SPOOR_MAX_MIME_DEPTH 32

/* MIME parts visited per message: a hostile message can nest thousands. */
#define SPOOR_MAX_MIME_PARTS 10000

/* Folder nesting while walking a directory tree or the folders of a
 * mailbox (PST). */
#define SPOOR_MAX_DIR_DEPTH 64

#endif
