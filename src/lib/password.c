#include "lib/password.h"

#include <pthread.h>
#include <pwquality.h>
#include <string.h>

#include "lib/utf8.h"

static const char FIELD[] = "new_password";

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ASCII case-insensitive substring test (strcasestr is a GNU extension). */
static int contains_nocase(const char *hay, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0 || nn > hn)
        return 0;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t j = 0;
        while (j < nn && lower(hay[i + j]) == lower(needle[j]))
            j++;
        if (j == nn)
            return 1;
    }
    return 0;
}

int password_policy_check(const char *pw, const char *username, err_t *e)
{
    size_t n = pw ? strlen(pw) : 0;
    int upper = 0, low = 0, digit = 0, symbol = 0;

    if (n < PASSWORD_MIN_LEN || n > PASSWORD_MAX_LEN)
        return err_set(e, ERR_INVALID, "invalid", "密码长度应为8至64位", FIELD);
    if (!utf8_valid(pw, n))
        return err_set(e, ERR_INVALID, "invalid", "密码包含无效字符", FIELD);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)pw[i];
        if (c < 0x20 || c == 0x7F)
            return err_set(e, ERR_INVALID, "invalid", "密码不能包含控制字符", FIELD);
        if (c >= 'A' && c <= 'Z')
            upper = 1;
        else if (c >= 'a' && c <= 'z')
            low = 1;
        else if (c >= '0' && c <= '9')
            digit = 1;
        else
            symbol = 1;
    }
    if (upper + low + digit + symbol < 3)
        return err_set(e, ERR_INVALID, "invalid",
                       "密码至少8位，且包含大写字母、小写字母、数字、符号中的至少三类", FIELD);
    if (username) {
        size_t un = strlen(username);
        if (un >= 3 && contains_nocase(pw, n, username, un))
            return err_set(e, ERR_INVALID, "invalid", "密码不能包含用户名", FIELD);
    }
    return 0;
}

/* ---------- libpwquality ---------- */

/* Built once; cracklib keeps static buffers, so checks run one at a time. */
static pwquality_settings_t *pwq;
static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER;

static pwquality_settings_t *pwq_settings(void)
{
    if (!pwq) {
        pwquality_settings_t *s = pwquality_default_settings();
        /* Length and classes are password_policy_check's; the system's pwquality.conf is not
         * read, so every installation judges alike. difok=3: a new password changes at least 3
         * characters of the old one (Jiceng@2027 after Jiceng@2026 is refused). */
        static const char *const options[] = {"minlen=8", "difok=3", "dictcheck=1", "usercheck=1"};
        for (size_t i = 0; s && i < sizeof options / sizeof options[0]; i++)
            if (pwquality_set_option(s, options[i]) != 0) {
                pwquality_free_settings(s);
                s = NULL;
            }
        pwq = s;
    }
    return pwq;
}

static const char *quality_message(int rc)
{
    switch (rc) {
    case PWQ_ERROR_CRACKLIB_CHECK:
        return "密码过于简单（常见单词、连续数字或键盘顺序等），容易被猜中，请换一个";
    case PWQ_ERROR_TOO_SIMILAR: return "新密码与原密码过于相似，请至少改动 3 个字符";
    case PWQ_ERROR_SAME_PASSWORD: return "新密码不能与原密码相同";
    case PWQ_ERROR_CASE_CHANGES_ONLY: return "新密码不能只改变原密码的大小写";
    case PWQ_ERROR_ROTATED: return "新密码不能是原密码的轮换";
    case PWQ_ERROR_PALINDROME: return "密码不能是回文";
    case PWQ_ERROR_USER_CHECK: return "密码不能包含用户名";
    default: return "密码强度不足，请使用更长、更不规则的密码";
    }
}

int password_quality_check(const char *pw, const char *old_pw, const char *username, err_t *e)
{
    void *aux = NULL;
    int rc;
    pthread_mutex_lock(&pwq_lock);
    pwquality_settings_t *s = pwq_settings();
    rc = s ? pwquality_check(s, pw ? pw : "", old_pw, username, &aux) : PWQ_ERROR_MEM_ALLOC;
    /* cracklib answers a missing dictionary with this text in place of a verdict. */
    int no_dict = rc == PWQ_ERROR_CRACKLIB_CHECK && aux &&
                  strncmp((const char *)aux, "error loading dictionary", 24) == 0;
    pthread_mutex_unlock(&pwq_lock);
    if (rc >= 0)
        return 0;
    if (no_dict || rc == PWQ_ERROR_MEM_ALLOC || rc == PWQ_ERROR_FATAL_FAILURE)
        return err_set(e, ERR_IO, "internal", "密码字典不可用，暂时无法设置密码，请联系管理员",
                       NULL);
    return err_set(e, ERR_INVALID, "invalid", quality_message(rc), FIELD);
}
