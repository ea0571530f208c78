/* backupkeys.c — passphrase, the sealed keys file, and the sample check of a backup. */
#include "app/backupkeys.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "domain/registry/registry.h"
#include "store/backup.h"

#define SAMPLE 1000
#define KEYS_FILE_MAX 4096

/* Drop a trailing "\n" or "\r\n". */
static void chomp(char *s) { s[strcspn(s, "\r\n")] = 0; }

/* Ask on the terminal with echo off. 0, or -1 if there is no terminal. */
static int ask(const char *prompt, char *out, size_t cap)
{
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios old, quiet;
    int have = tcgetattr(fd, &old) == 0;
    if (have) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    ssize_t w = write(fd, prompt, strlen(prompt));
    size_t n = 0;
    char ch;
    while (n + 1 < cap && read(fd, &ch, 1) == 1 && ch != '\n')
        out[n++] = ch;
    out[n] = 0;
    chomp(out);
    if (have)
        tcsetattr(fd, TCSAFLUSH, &old);
    w = write(fd, "\n", 1);
    (void)w;
    close(fd);
    return 0;
}

static int from_file(const char *file, char *out, size_t cap, err_t *e)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return err_set(e, ERR_INVALID, "passphrase", "口令文件无法读取", NULL);
    if (!fgets(out, (int)cap, f))
        out[0] = 0;
    fclose(f);
    chomp(out);
    return 0;
}

int backupkeys_passphrase(const char *file, int confirm, size_t min, char *out, size_t cap,
                          err_t *e)
{
    const char *env = getenv(BACKUPKEYS_PASSPHRASE_ENV);
    int rc = 0;
    out[0] = 0;
    if (file) {
        rc = from_file(file, out, cap, e);
    } else if (env && *env) {
        snprintf(out, cap, "%s", env);
    } else {
        if (ask("备份密钥口令 / passphrase for the keys: ", out, cap) != 0)
            return err_set(e, ERR_INVALID, "passphrase",
                           "需要口令来保护备份中的密钥：用 --passphrase-file FILE、环境变量 "
                           "JICENG_BACKUP_PASSPHRASE，或在终端输入（不备份密钥请用 --no-keys）",
                           NULL);
        char again[256];
        if (confirm && out[0] && ask("再输入一次 / again: ", again, sizeof again) == 0 &&
            strcmp(again, out) != 0)
            rc = err_set(e, ERR_INVALID, "passphrase", "两次输入的口令不一致", NULL);
        sodium_memzero(again, sizeof again);
    }
    if (rc == 0 && strlen(out) < (min ? min : 1))
        rc = err_setf(e, ERR_INVALID, "passphrase", NULL, "口令太短：至少 %zu 个字符",
                      min ? min : 1);
    return rc;
}

int backupkeys_write(const char *path, const char *text, err_t *e)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.part", path);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    size_t n = strlen(text);
    int ok = fd >= 0 && write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return err_set(e, ERR_IO, "backup", "密钥文件写入失败", NULL);
    }
    return 0;
}

int backupkeys_read(const char *path, char **text, size_t *len, err_t *e)
{
    *text = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? ERR_NOTFOUND
                               : err_set(e, ERR_IO, "restore", "密钥文件无法读取", NULL);
    char *b = malloc(KEYS_FILE_MAX + 1);
    ssize_t n = b ? read(fd, b, KEYS_FILE_MAX + 1) : -1;
    close(fd);
    if (n < 0 || n > KEYS_FILE_MAX) {
        free(b);
        return err_set(e, ERR_INVALID, "restore", "不是 jiceng 备份密钥文件", NULL);
    }
    b[n] = 0;
    *text = b;
    *len = (size_t)n;
    return 0;
}

typedef struct {
    const crypto_keys_t *k;
    backupkeys_report_t *r;
} sample_t;

static void on_row(void *ud, const char *const *vals)
{
    sample_t *s = ud;
    backupkeys_report_t *r = s->r;
    int present = 0;
    r->rows++;
    if (!s->k) {
        r->present += (vals[0] != NULL) + (vals[2] != NULL);
        return;
    }
    if (r->rows > SAMPLE && randombytes_uniform((uint32_t)r->rows) >= SAMPLE) {
        r->present += (vals[0] != NULL) + (vals[2] != NULL);
        return;
    }
    r->bad += registry_keys_row(s->k, vals, &present);
    r->present += present;
    r->checked += present;
}

int backupkeys_check(const char *from, int pg, const crypto_keys_t *k, backupkeys_report_t *r,
                     err_t *e)
{
    static const char *const cols[REGISTRY_KEY_NCOLUMNS] = {REGISTRY_KEY_COLUMNS};
    memset(r, 0, sizeof *r);
    sample_t s = {.k = k, .r = r};
    return backup_read_table(from, pg, REGISTRY_KEY_TABLE, cols, REGISTRY_KEY_NCOLUMNS, on_row, &s,
                             e);
}
