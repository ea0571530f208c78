/* routes.h — the one place that names every endpoint (DESIGN.md). */
#ifndef JICENG_APP_ROUTES_H
#define JICENG_APP_ROUTES_H

#include <stddef.h>
#include "http/http.h"

extern const http_route_t app_routes[];
extern const size_t app_nroutes;

#endif
