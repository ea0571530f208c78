/* qrsvg.h — a QR code (libqrencode) drawn as a small SVG document: one path of dark runs on a
 * white square with the quiet zone the standard asks for. Thread-safe. */
#ifndef JICENG_LIB_QRSVG_H
#define JICENG_LIB_QRSVG_H

#include <stddef.h>

/* The SVG of text (8-bit mode, error correction M) with title (plain text without markup) as
 * its <title>. Returns the document (caller frees) and its length in *len; NULL if text is too
 * long for a QR code. */
char *qrsvg_encode(const char *text, const char *title, size_t *len);

#endif
