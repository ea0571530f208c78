/* cmd.h — one function per command of the jiceng binary. Each takes argv after the command name
 * (argv[0] is the command) and returns the process exit code. */
#ifndef JICENG_APP_CMD_H
#define JICENG_APP_CMD_H

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_seed_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_tick(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_webhook(int argc, char **argv);
int cmd_routes(int argc, char **argv);

#endif
