/*
 * zipxml.h: the parts of a zip package and their XML, for the OOXML and
 * OpenDocument readers (zipxml.c). libxml2 parses without network access
 * and without entity substitution, so entity bombs stay unexpanded; zip
 * parts are read within the item bounds (member size, expansion ratio).
 */
#ifndef SPOOR_ZIPXML_H
#define SPOOR_ZIPXML_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "extract_int.h"

typedef struct spoor_zip_part {
    char *name;
    spoor_buf data;
} spoor_zip_part;

typedef struct spoor_zip_parts {
    spoor_zip_part *v;
    size_t n, cap;
} spoor_zip_parts;

/**
 * Read the members of zip d[0..len) that wanted(name) accepts into out.
 * @return 0, SPOOR_EUNSUPPORTED (an encrypted part), SPOOR_ELIMIT (a
 *         bound; the message names it), SPOOR_EINVALID (damaged zip) or
 *         SPOOR_ENOMEM.
 */
int spoor_zip__read_parts(spoor_zip_parts *out, const unsigned char *d,
                          size_t len, const spoor_limits *lim,
                          int (*wanted)(const char *name));

/** The data of part name, or NULL. */
const spoor_buf *spoor_zip__find_part(const spoor_zip_parts *p,
                                      const char *name);

void spoor_zip__parts_free(spoor_zip_parts *p);

/** Parse part b (named name for messages), or NULL (b NULL or not XML). */
xmlDocPtr spoor_xml__parse(const spoor_buf *b, const char *name);

/* Deepest element a streamed walk follows (libxml2 refuses deeper ones
 * unless told to parse huge documents). */
#define SPOOR_XML_DEPTH_MAX 512

/**
 * Read part b (named name) through walk(r, ctx) with a libxml2 streaming
 * reader, with the options of spoor_xml__parse: the part is read a chunk
 * at a time and no tree of it is built (a sheet of a million rows built
 * as a tree took gigabytes), and a part in a temporary file hands its
 * pages back as it is read.
 * @return walk's result; 0 when b is NULL; SPOOR_EINVALID naming the part
 *         when no reader can be made.
 */
int spoor_xml__stream(const spoor_buf *b, const char *name,
                      int (*walk)(xmlTextReaderPtr r, void *ctx), void *ctx);

/** Whether the reader is at a node of type (XML_READER_TYPE_...) with
 * local name local. */
int spoor_xml__reader_is(xmlTextReaderPtr r, int type, const char *local);

/** SPOOR_EINVALID naming part name and libxml2's reason. */
int spoor_xml__error(const char *name);

/** Whether n is an element with local name local. */
int spoor_xml__is(const xmlNode *n, const char *local);

/** The value of n's attribute with local name local, or NULL. */
const char *spoor_xml__attr(const xmlNode *n, const char *local);

/** n's text content, owned, or NULL (out of memory). */
char *spoor_xml__node_text(xmlNode *n);

#endif
