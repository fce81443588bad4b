/* utf8.h: the two UTF-8 questions the program asks, answered once.
 *
 * Readers of outside files (scenarios, traces) must refuse text that is not UTF-8 and say
 * where it breaks; views must walk text a code point at a time without ever failing on it. */
#ifndef ST_UTF8_H
#define ST_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The offset of the first byte that is not valid UTF-8 (overlong forms, surrogates and code
 * points past U+10FFFF included) or is a control character other than tab, newline and
 * carriage return; -1 when the text is clean. */
long utf8_first_bad(const char *text, size_t len);

/* Decode the code point at *p and advance past it; an invalid sequence decodes as '?' and
 * advances by what was read, so a walk always ends. */
uint32_t utf8_next(const unsigned char **p);

#endif
