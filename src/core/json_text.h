/* json_text.h: finding places in JSON text, and small cJSON helpers, for the readers.
 *
 * cJSON keeps no positions, so a reader that wants to say "file:line:col: event 9: ..." finds
 * the place again in the raw text that cJSON accepted: a light scanner over members and
 * elements, and the one rule for turning a byte offset into a line and a column (columns
 * count characters, not UTF-8 bytes). The scenario loader, the trace reader and its users
 * (--verify, the importer, --replay) all place their messages with these, so a line:col means
 * the same thing in every message of the program. */
#ifndef ST_JSON_TEXT_H
#define ST_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Byte offset off of text to a 1-based line and column. */
void json_line_col(const char *text, size_t off, int *line, int *col);
/* Move line:col (already the place of s[0]) over the n bytes of s. */
void json_advance(const char *s, size_t n, long *line, long *col);

bool json_is_ws(char c);
size_t json_ws(const char *s, size_t len, size_t i);
/* Past the string whose opening quote is at s[i]; *closed (may be NULL) is false when the
 * text ends inside it. */
size_t json_skip_string(const char *s, size_t len, size_t i, bool *closed);
/* The end of the value at s[i]; *closed (may be NULL) is false when the text ends inside it
 * (a file cut short). A wrong closer (`[1, 2}`) ends the value where it stands. */
size_t json_value_end(const char *s, size_t len, size_t i, bool *closed);
size_t json_skip_value(const char *s, size_t len, size_t i);
/* Member KEY of the object whose '{' is at s[obj]: where its key's quote is (*koff) and its
 * value (*voff, may be NULL). The first of duplicate keys, as cJSON's lookup; keys written
 * with escapes are not found. */
bool json_member(const char *s, size_t len, size_t obj, const char *key, size_t *koff,
		 size_t *voff);
/* Where element idx of the array whose '[' is at s[arr] begins. */
bool json_element(const char *s, size_t len, size_t arr, size_t idx, size_t *off);

/* A JSON number with an integral value that fits in int64. */
bool json_int64(const cJSON *it, int64_t *out);
/* A short rendering of a value for a message: `"foo"`, `3`, `[1,2]`, or `missing`. */
const char *json_show(const cJSON *it, char *buf, size_t n);

#endif
