/* snprintf for the freestanding runtime (see fmt.h for what it supports). */
#include "lib/fmt.h"
#include "lib/string.h"

struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_number(struct out *o, unsigned long v, int base, int negative, int width, char pad)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative && pad == '0') {
        put(o, '-');
        width--;
    } else if (negative) {
        tmp[n++] = '-';
    }
    while (width-- > n)
        put(o, pad);
    while (n)
        put(o, tmp[--n]);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, precision = -1, longs = 0, left = 0;
        if (*fmt == '-')
            left = 1, fmt++;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                precision = va_arg(ap, int);
                fmt++;
            } else {
                precision = 0;
                while (*fmt >= '0' && *fmt <= '9')
                    precision = precision * 10 + (*fmt++ - '0');
            }
        }
        while (*fmt == 'l' || *fmt == 'z')
            longs++, fmt++;
        switch (*fmt) {
        case 'd':
        case 'i': {
            long v = longs ? va_arg(ap, long) : va_arg(ap, int);
            put_number(&o, v < 0 ? -(unsigned long)v : (unsigned long)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_number(&o, longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 10, 0,
                       width, pad);
            break;
        case 'x':
            put_number(&o, longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 16, 0,
                       width, pad);
            break;
        case 'o':
            put_number(&o, longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int), 8, 0,
                       width, pad);
            break;
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_number(&o, (unsigned long)va_arg(ap, void *), 16, 0, width, pad);
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = strlen(s);
            if (precision >= 0 && (size_t)precision < n)
                n = precision;
            for (int i = (int)n; !left && i < width; i++)
                put(&o, ' ');
            for (size_t i = 0; i < n; i++)
                put(&o, s[i]);
            for (int i = (int)n; left && i < width; i++)
                put(&o, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '%');
            if (*fmt)
                put(&o, *fmt);
            else
                fmt--;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
