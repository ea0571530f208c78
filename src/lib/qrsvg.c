/* qrsvg.c — QR codes as SVG. */
#include "lib/qrsvg.h"

#include <qrencode.h>

#include "lib/buf.h"

char *qrsvg_encode(const char *text, const char *title, size_t *len)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    const int quiet = 4, w = q->width, size = w + 2 * quiet;
    buf_t b;
    buf_init(&b, 1u << 20);
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\""
               " height=\"%d\" shape-rendering=\"crispEdges\"><title>%s</title>"
               "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
               size, size, size * 6, size * 6, title, size, size);
    /* One horizontal run of dark modules per "M x y h n v1 h-n z". */
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w;) {
            if (!(q->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (q->data[y * w + x + run] & 1))
                run++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
            x += run;
        }
    }
    buf_addstr(&b, "\"/></svg>\n");
    QRcode_free(q);
    *len = b.len;
    return buf_detach(&b);
}
