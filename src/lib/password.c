#include "lib/password.h"

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
