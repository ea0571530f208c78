/* backupkeys.h — the keys that travel with a backup. Without DATA/keys a restored database
 * cannot show a single ID number or phone, so `jiceng backup` seals field.key and hash.key under
 * a passphrase the operator gives (<out>.keys, next to the copy), and `jiceng restore` proves,
 * before it changes anything, that the keys it will use read the backup's encrypted fields. */
#ifndef JICENG_APP_BACKUPKEYS_H
#define JICENG_APP_BACKUPKEYS_H

#include <stddef.h>
#include "lib/crypto.h"

/* Shortest passphrase `jiceng backup` accepts for sealing keys. */
#define BACKUPKEYS_PASSPHRASE_MIN 12
/* Environment variable read when no --passphrase-file is given. */
#define BACKUPKEYS_PASSPHRASE_ENV "JICENG_BACKUP_PASSPHRASE"

/* The operator's passphrase: the first line of file when given, else the environment variable,
 * else asked on the terminal (/dev/tty) without echo, twice when confirm. At least min bytes.
 * 0, or ERR_INVALID with a Chinese message (none to be had, too short, the two entries differ,
 * the file unreadable). out is wiped by the caller (sodium_memzero). */
int backupkeys_passphrase(const char *file, int confirm, size_t min, char *out, size_t cap,
                          err_t *e);

/* Write text to path: path.part created 0600, fsync, rename. 0 or ERR_IO. */
int backupkeys_write(const char *path, const char *text, err_t *e);

/* Read a sealed keys file (at most 4 KiB). *text (NUL-terminated) freed by the caller.
 * 0, ERR_NOTFOUND if there is no such file, ERR_IO / ERR_INVALID otherwise. */
int backupkeys_read(const char *path, char **text, size_t *len, err_t *e);

/* What backupkeys_check saw. */
typedef struct {
    long rows;    /* people rows in the backup */
    long present; /* encrypted fields among them (ID numbers and phones) */
    long checked; /* encrypted fields checked (the sample) */
    long bad;     /* of those, not readable under the keys */
} backupkeys_report_t;

/* Check a sample of the people of the backup `from` (pg: a PostgreSQL dump) under k: every
 * encrypted field of the first 1,000 rows, then row n's with probability 1000/n, so a table of
 * any size costs a few thousand decryptions and every part of it may be looked at. Each must
 * decrypt and match its keyed hash (registry_keys_row). k NULL: fields are only counted.
 * 0 (see r->bad), or ERR_IO / ERR_INVALID when the backup cannot be read. */
int backupkeys_check(const char *from, int pg, const crypto_keys_t *k, backupkeys_report_t *r,
                     err_t *e);

#endif
