/* utf8.c: see utf8.h. */
#include "utf8.h"

long utf8_first_bad(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	while (i < len) {
		unsigned ch = s[i];
		if (ch < 0x80) {
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				return (long)i;
			i++;
			continue;
		}
		size_t n;
		uint32_t min;
		if (ch >= 0xC2 && ch <= 0xDF)
			n = 1, min = 0x80;
		else if ((ch & 0xF0) == 0xE0)
			n = 2, min = 0x800;
		else if (ch >= 0xF0 && ch <= 0xF4)
			n = 3, min = 0x10000;
		else
			return (long)i;
		if (len - i <= n)
			return (long)i;
		uint32_t cp = ch & (0x3Fu >> n);
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return (long)i;
			cp = cp << 6 | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)i;
		i += n + 1;
	}
	return -1;
}

/* Decode one UTF-8 sequence; invalid bytes come out as '?'. */
uint32_t utf8_next(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
	if (n < 0) {
		*p = s + 1;
		return '?';
	}
	c = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*p = s + i;
			return '?';
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*p = s + n + 1;
	return c;
}
