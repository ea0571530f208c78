/* main.c — command-line dispatch: serve, migrate, seed-demo, import, user, backup, restore,
 * check, routes. `jiceng --help` and `jiceng CMD --help` describe every flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/app.h"
#include "app/cmd.h"
#include "lib/log.h"

static const char *usage =
    "jiceng — 基层治理平台 (grassroots governance platform)\n"
    "\n"
    "usage: jiceng COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve       serve the API and the web front end\n"
    "  migrate     apply database migrations\n"
    "  seed-demo   load the demo data set (six places of MISSION.md)\n"
    "  import      import divisions: jiceng import divisions --province 15\n"
    "  user        accounts: jiceng user add|disable|enable|reset …\n"
    "  backup      consistent online copy: jiceng backup --out FILE\n"
    "  restore     bring a backup back: jiceng restore --from FILE (server stopped)\n"
    "  check       integrity checks: jiceng check [db|keys|all]\n"
    "  tick        one scheduler pass (escalate overdue cases): jiceng tick [--now MS]\n"
    "  apikey      keys for outside systems: jiceng apikey add --county C --name N\n"
    "  webhook     case-event webhook outbox: jiceng webhook status\n"
    "  routes      print the route table\n"
    "\n"
    "common options:\n"
    "  --data DIR      data directory (SQLite database, keys, logs) [./data]\n"
    "  --db URL        use PostgreSQL (postgres://user@host:port/db) instead of SQLite\n"
    "  --help          help for a command\n";

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        {"serve", cmd_serve},     {"migrate", cmd_migrate}, {"seed-demo", cmd_seed_demo},
        {"import", cmd_import},   {"user", cmd_user},       {"backup", cmd_backup},
        {"restore", cmd_restore}, {"check", cmd_check},     {"tick", cmd_tick},
        {"apikey", cmd_apikey},   {"routes", cmd_routes},   {"webhook", cmd_webhook},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "jiceng: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
