/* ---- xml: non-allocating scanner for AWS Query protocol replies (SNS) ----
   Reads a complete document held in a caller buffer; nothing is copied or allocated, every span points into the
   caller's bytes, which must stay alive while spans are used. Nothing recurses: nesting is tracked in a fixed
   stack of SIOC_MAX_XML_DEPTH open element names inside the reader, so stack use is constant whatever the input.

   Three layers:
   1. A pull tokenizer (sioc_xml_reader + sioc_xml_next): start tag (name + raw attribute span), end tag, text run,
      end of input, each with its depth. It checks well-formedness (XML 1.0 5th ed. + Namespaces in XML) as it
      goes, so reading to SIOC_XML_EOF proves the whole input well-formed.
   2. Lookups on top of it: sioc_xml_find ("CreateTopicResponse/CreateTopicResult/TopicArn" -> raw content span),
      sioc_xml_find_in (the same relative to a content span) and sioc_xml_iter (each repeated child such as
      `member`, as a content span to run relative lookups on). Lookups always scan to the end of their input, so
      a truncated or malformed reply fails even when the wanted field came before the damage.
   3. sioc_xml_text: a raw content span decoded into caller memory.

   What is accepted: an optional UTF-8 byte order mark and `<?xml version="1.x" encoding="UTF-8"
   standalone="yes|no"?>` declaration, comments, processing instructions, CDATA sections, the five predefined
   entities (&lt; &gt; &amp; &apos; &quot;) and numeric character references, in text and attribute values.
   Namespaces: prefixes are not resolved; names must be QNames (at most one ':', not first or last) and path
   segments match the local part (after the ':'), or the whole qualified name when the segment holds a ':'.
   What is rejected (SIOC_ERR_PARSE unless said): unterminated tags, comments, CDATA or references; bad attribute
   syntax (missing '=', unquoted values, '<' in a value, no space between attributes, duplicates); '<' or "]]>"
   in text; mismatched or unclosed end tags; text, a second element or garbage after the root; other entity
   names; invalid UTF-8 or characters outside XML's Char production; an encoding other than UTF-8
   (SIOC_ERR_UNSUPPORTED); a DOCTYPE (SIOC_ERR_UNSUPPORTED: no DTD, hence no entity expansion attacks);
   nesting deeper than SIOC_MAX_XML_DEPTH or more than SIOC_XML_MAX_ATTRS attributes on a tag (SIOC_ERR_LIMIT).
   Non-ASCII name characters are accepted as long as they are valid UTF-8 (the Unicode name classes are not
   checked). */
#pragma once
#include "base.h"

/* Attributes per tag (bounds the duplicate check; costs 2 words of stack each). AWS replies carry one (xmlns). */
#ifndef SIOC_XML_MAX_ATTRS
#define SIOC_XML_MAX_ATTRS 32
#endif

typedef enum sioc_xml_kind {
    SIOC_XML_EOF = 0, /* the input ended and was well-formed */
    SIOC_XML_START,   /* start tag; an empty-element tag <x/> gives START (empty = 1) then END */
    SIOC_XML_END,     /* end tag */
    SIOC_XML_TEXT     /* a run of character data between two tags: raw, may hold references, CDATA, comments, PIs */
} sioc_xml_kind;

typedef struct sioc_xml_token {
    sioc_xml_kind kind;
    uint32_t depth;  /* START/END: the element's depth (the root, or a top-level element of content, is 1);
                        TEXT: the depth of the enclosing element (0 at the top level of content) */
    uint8_t empty;   /* START: 1 for <x/> */
    sioc_str name;   /* START/END: qualified name as written ("ns:Foo") */
    sioc_str local;  /* START/END: local part of the name ("Foo") */
    sioc_str attrs;  /* START: raw attribute text, from the first attribute to the end of the last (may be empty) */
    sioc_str raw;    /* the markup: "<...>" for START, "</...>" for END (empty, just after "<x/>", for the END of an
                        empty-element tag), the text run itself for TEXT */
} sioc_xml_token;

/* Pull tokenizer state. Transparent so it can live on the stack (~0.6 KB); treat the fields as private. */
typedef struct sioc_xml_reader {
    const char *buf;
    size_t len;
    size_t pos;
    size_t error_at;             /* byte offset of the first error */
    sioc_result err;             /* sticky: once set, every call returns it */
    uint32_t depth;
    uint8_t content;             /* 1: element content (several top-level items), 0: a document */
    uint8_t seen_root;
    uint8_t pending_end;         /* an empty-element tag still owes its END token */
    const char *open[SIOC_MAX_XML_DEPTH]; /* names of the open elements, for end-tag matching */
    size_t open_len[SIOC_MAX_XML_DEPTH];
} sioc_xml_reader;

/* Start reading a whole document: optional BOM and declaration, comments/PIs/whitespace, exactly one root
   element, then only comments/PIs/whitespace. The buffer must stay alive while the reader and its spans are used. */
SIOC_API void sioc_xml_reader_init(sioc_xml_reader *r, const char *xml, size_t len);
/* Start reading element content (what sioc_xml_find returns): text, elements, comments, CDATA in any number,
   no declaration or DOCTYPE. */
SIOC_API void sioc_xml_reader_init_content(sioc_xml_reader *r, const char *xml, size_t len);
/* Next token. SIOC_OK with out->kind set (SIOC_XML_EOF, repeatedly, once the input is used up); otherwise the
   sticky error (SIOC_ERR_PARSE, SIOC_ERR_LIMIT, SIOC_ERR_UNSUPPORTED) with r->error_at. In a document, whitespace,
   comments and PIs outside the root are skipped, not reported. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_next(sioc_xml_reader *r, sioc_xml_token *out);

/* Raw content (between the start and end tags; empty for <x/>) of the first element, in document order, whose
   path from the root is `path` ('/'-separated names, the first naming the root). The whole document is checked.
   SIOC_OK, SIOC_ERR_NOT_FOUND, SIOC_ERR_ARG (empty path or segment, more segments than SIOC_MAX_XML_DEPTH), or a
   tokenizer error. Decode the span with sioc_xml_text, or search inside it with sioc_xml_find_in. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find(const char *xml, size_t len, const char *path, sioc_str *out);
/* The same relative to element content (a span from sioc_xml_find or sioc_xml_iter_next): the first segment
   names a top-level element of `content`. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_find_in(sioc_str content, const char *path, sioc_str *out);

/* One element as seen by the iterator. */
typedef struct sioc_xml_elem {
    sioc_str name;    /* qualified name as written */
    sioc_str attrs;   /* raw attribute text */
    sioc_str content; /* raw content between the tags (empty for <x/>) */
} sioc_xml_elem;

typedef struct sioc_xml_iter {
    sioc_xml_reader r;
    const char *name; /* NULL: every child */
    size_t name_len;
} sioc_xml_iter;

/* Iterate the top-level elements of `content` named `name` (matched like a path segment; NULL for all), e.g.
   each `member` of the span found at "PublishBatchResponse/PublishBatchResult/Successful". The whole span is
   checked here, so iteration itself cannot fail: SIOC_OK or a tokenizer error. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_iter_init(sioc_xml_iter *it, sioc_str content, const char *name);
/* 1 and *out filled for the next matching element, 0 when there are no more. */
SIOC_API int sioc_xml_iter_next(sioc_xml_iter *it, sioc_xml_elem *out);

/* Decode a raw content span into `out` as UTF-8 plus a NUL: references replaced, CDATA sections copied verbatim,
   comments and PIs dropped, line ends normalised to LF (XML 1.0 section 2.11). *out_len gets the decoded length
   without the NUL. SIOC_ERR_BUFFER_TOO_SMALL when cap < *out_len + 1 (*out_len still set: the size needed is
   *out_len + 1; out may be NULL with cap 0 to measure), SIOC_ERR_TYPE when the span holds child elements,
   SIOC_ERR_PARSE when it is not well-formed text. */
SIOC_API SIOC_NODISCARD sioc_result sioc_xml_text(sioc_str raw, char *out, size_t cap, size_t *out_len);
