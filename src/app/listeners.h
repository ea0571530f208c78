/* listeners.h — who follows which change (domain/common/change.h): the one place that wires the
 * practices together. A practice announces; the listeners named here act in the same
 * transaction. */
#ifndef JICENG_APP_LISTENERS_H
#define JICENG_APP_LISTENERS_H

/* Register every listener. Called once by app_open, before any thread runs. */
void app_listen(void);

#endif
