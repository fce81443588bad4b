/* lin_model.c: interned values and the models' table (see lin_model.h).
 *
 * The register and the key-value store are rows of function pointers over 64-bit canonical
 * states; adding an object is adding a row to lin_models[]. */
#include "lin_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/mem.h"

/* ---- the value pool ---- */

static uint32_t lv_put_bytes(lin_vals *p, const char *s, size_t len)
{
	st_grow(&p->bytes, &p->bytes_cap, p->nbytes + len + 1, 1);
	uint32_t off = (uint32_t)p->nbytes;
	if (len)
		memcpy(p->bytes + off, s, len);
	p->bytes[off + len] = 0;
	p->nbytes += len + 1;
	return off;
}

static uint64_t lv_hash(lin_vtype type, const char *s, size_t len, const uint32_t *kids,
			size_t n)
{
	uint64_t h = st_hash_u64(ST_HASH_INIT, type);
	if (kids)
		return st_hash_add(h, kids, n * sizeof *kids);
	return st_hash_add(h, s, len);
}

static bool lv_same(const lin_vals *p, const lin_val *v, lin_vtype type, const char *s,
		    size_t len, const uint32_t *kids, size_t n)
{
	if (v->type != type)
		return false;
	if (kids)
		return v->nkids == n && (!n || memcmp(p->kid + v->kids, kids, n * sizeof *kids) == 0);
	return v->len == len && memcmp(p->bytes + v->raw, s, len) == 0;
}

static void lv_rehash(lin_vals *p)
{
	size_t cap = p->slot_cap ? p->slot_cap * 2 : 256;
	uint32_t *slot = st_zalloc(cap, sizeof *slot);
	uint64_t *sh = st_zalloc(cap, sizeof *sh);
	for (size_t i = 0; i < p->slot_cap; i++) {
		if (!p->slot[i])
			continue;
		size_t j = p->slot_hash[i] & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = p->slot[i];
		sh[j] = p->slot_hash[i];
	}
	free(p->slot);
	free(p->slot_hash);
	p->slot = slot;
	p->slot_hash = sh;
	p->slot_cap = cap;
}

/* Find or add, h being lv_hash of it; text is the printed form, made only when the value is
 * new. */
static uint32_t lv_intern_h(lin_vals *p, uint64_t h, lin_vtype type, const char *s, size_t len,
			    const uint32_t *kids, size_t n, int64_t i)
{
	if ((p->n + 1) * 2 > p->slot_cap)
		lv_rehash(p);
	size_t j = h & (p->slot_cap - 1);
	while (p->slot[j]) {
		if (p->slot_hash[j] == h && lv_same(p, &p->v[p->slot[j] - 1], type, s, len, kids, n))
			return p->slot[j] - 1;
		j = (j + 1) & (p->slot_cap - 1);
	}
	st_grow(&p->v, &p->cap, p->n + 1, sizeof *p->v);
	lin_val *v = &p->v[p->n];
	memset(v, 0, sizeof *v);
	v->type = (uint8_t)type;
	v->i = i;
	v->hash = h;
	if (kids) {
		st_grow(&p->kid, &p->kid_cap, p->nkid + n, sizeof *p->kid);
		if (n)
			memcpy(p->kid + p->nkid, kids, n * sizeof *kids);
		v->kids = (uint32_t)p->nkid;
		v->nkids = (uint32_t)n;
		p->nkid += n;
		/* the printed form: "[a b]" or "{k v, k v}" */
		size_t tl = 2;
		for (size_t k = 0; k < n; k++)
			tl += strlen(lin_vals_text(p, kids[k])) + 2;
		char *t = st_alloc(tl + 1), *o = t;
		*o++ = type == LV_VEC ? '[' : '{';
		for (size_t k = 0; k < n; k++) {
			if (k)
				*o++ = type == LV_MAP && k % 2 == 0 ? ',' : ' ';
			if (k && type == LV_MAP && k % 2 == 0)
				*o++ = ' ';
			const char *kt = lin_vals_text(p, kids[k]);
			size_t kl = strlen(kt);
			memcpy(o, kt, kl);
			o += kl;
		}
		*o++ = type == LV_VEC ? ']' : '}';
		v->text = v->raw = lv_put_bytes(p, t, (size_t)(o - t));
		v->len = (uint32_t)(o - t);
		free(t);
	} else {
		v->raw = lv_put_bytes(p, s, len);
		v->len = (uint32_t)len;
		if (type == LV_STR) {
			/* quoted, with the escapes EDN reads back */
			char *t = st_alloc(len * 2 + 3), *o = t;
			*o++ = '"';
			for (size_t k = 0; k < len; k++) {
				char c = s[k];
				if (c == '"' || c == '\\')
					*o++ = '\\';
				if (c == '\n') {
					*o++ = '\\';
					c = 'n';
				}
				*o++ = c;
			}
			*o++ = '"';
			v->text = lv_put_bytes(p, t, (size_t)(o - t));
			free(t);
		} else {
			v->text = v->raw;
		}
	}
	uint32_t id = (uint32_t)p->n++;
	/* the pool may have moved: find the slot again */
	j = h & (p->slot_cap - 1);
	while (p->slot[j])
		j = (j + 1) & (p->slot_cap - 1);
	p->slot[j] = id + 1;
	p->slot_hash[j] = h;
	return id;
}

static uint32_t lv_intern(lin_vals *p, lin_vtype type, const char *s, size_t len,
			  const uint32_t *kids, size_t n, int64_t i)
{
	return lv_intern_h(p, lv_hash(type, s, len, kids, n), type, s, len, kids, n, i);
}

void lin_vals_init(lin_vals *p)
{
	memset(p, 0, sizeof *p);
	uint32_t nil = lv_intern(p, LV_NIL, "nil", 3, NULL, 0, 0);
	(void)nil;  /* always id 0: LIN_NIL */
}

/* A direct-mapped cache of 2^16 entries at most: bounded memory, no probing. */
#define LV_MEMO_MAX ((size_t)1 << 16)
static size_t lv_memo_slot(const lin_vals *p, uint32_t tag, uint32_t x, uint32_t y)
{
	uint64_t h = st_hash_u64(st_hash_u64(st_hash_u64(ST_HASH_INIT, tag), x), y);
	return (size_t)(h >> 48) & (p->memo_cap - 1);
}

uint32_t lin_vals_memo_get(const lin_vals *p, uint32_t tag, uint32_t x, uint32_t y)
{
	if (!p->memo_cap)
		return LIN_NONE;
	const lin_memo *e = &p->memo[lv_memo_slot(p, tag, x, y)];
	return e->out != LIN_NONE && e->tag == tag && e->x == x && e->y == y ? e->out : LIN_NONE;
}

void lin_vals_memo_put(lin_vals *p, uint32_t tag, uint32_t x, uint32_t y, uint32_t out)
{
	if (!p->memo_cap) {
		p->memo_cap = LV_MEMO_MAX;
		p->memo = st_alloc(p->memo_cap * sizeof *p->memo);
		for (size_t i = 0; i < p->memo_cap; i++)
			p->memo[i].out = LIN_NONE;
	}
	lin_memo *e = &p->memo[lv_memo_slot(p, tag, x, y)];
	e->tag = tag;
	e->x = x;
	e->y = y;
	e->out = out;
}

void lin_vals_free(lin_vals *p)
{
	free(p->memo);
	free(p->v);
	free(p->bytes);
	free(p->kid);
	free(p->slot);
	free(p->slot_hash);
	memset(p, 0, sizeof *p);
}

uint32_t lin_vals_scalar(lin_vals *p, lin_vtype type, const char *s, size_t len, int64_t i)
{
	char num[32];
	if (type == LV_NIL)
		return LIN_NIL;
	if (type == LV_INT) {
		len = (size_t)snprintf(num, sizeof num, "%lld", (long long)i);
		s = num;
	} else if (type == LV_BOOL) {
		s = i ? "true" : "false";
		len = strlen(s);
	}
	return lv_intern(p, type, s, len, NULL, 0, i);
}

uint32_t lin_vals_concat(lin_vals *p, uint32_t x, uint32_t y)
{
	const lin_val *a = &p->v[x], *b = &p->v[y];
	uint64_t h = st_hash_add(a->hash, p->bytes + b->raw, b->len);
	size_t n = (size_t)a->len + b->len;
	if ((p->n + 1) * 2 <= p->slot_cap) {
		for (size_t j = h & (p->slot_cap - 1); p->slot[j]; j = (j + 1) & (p->slot_cap - 1)) {
			const lin_val *v = &p->v[p->slot[j] - 1];
			if (p->slot_hash[j] == h && v->type == LV_STR && v->len == n &&
			    memcmp(p->bytes + v->raw, p->bytes + a->raw, a->len) == 0 &&
			    memcmp(p->bytes + v->raw + a->len, p->bytes + b->raw, b->len) == 0)
				return p->slot[j] - 1;
		}
	}
	/* new: build it (the pool's bytes may move while interning, so copy first) */
	char stack[512], *buf = n <= sizeof stack ? stack : st_alloc(n);
	memcpy(buf, p->bytes + a->raw, a->len);
	memcpy(buf + a->len, p->bytes + b->raw, b->len);
	uint32_t id = lv_intern_h(p, h, LV_STR, buf, n, NULL, 0, 0);
	if (buf != stack)
		free(buf);
	return id;
}

uint32_t lin_vals_compound(lin_vals *p, lin_vtype type, const uint32_t *kids, size_t n)
{
	static const uint32_t none[1] = {0};
	return lv_intern(p, type, NULL, 0, n ? kids : none, n, 0);
}

const char *lin_vals_text(const lin_vals *p, uint32_t id) { return p->bytes + p->v[id].text; }
const char *lin_vals_raw(const lin_vals *p, uint32_t id) { return p->bytes + p->v[id].raw; }

void lin_vals_show(const lin_vals *p, uint32_t id, char *buf, size_t n)
{
	if (!n)
		return;
	if (id == LIN_NONE) {
		snprintf(buf, n, "(none)");
		return;
	}
	const char *t = lin_vals_text(p, id);
	size_t len = strlen(t), keep = n > 64 ? 60 : n - 1;
	if (len <= keep || keep < 8) {
		snprintf(buf, n, "%s", t);
		return;
	}
	snprintf(buf, n, "%.*s...", (int)(keep - 3), t);
}

uint32_t lin_vals_map_get(const lin_vals *p, uint32_t map, const char *kw)
{
	const lin_val *m = &p->v[map];
	if (m->type != LV_MAP)
		return LIN_NONE;
	for (uint32_t k = 0; k + 1 < m->nkids; k += 2) {
		const lin_val *key = &p->v[p->kid[m->kids + k]];
		if (key->type == LV_KW && strcmp(p->bytes + key->raw, kw) == 0)
			return p->kid[m->kids + k + 1];
	}
	return LIN_NONE;
}

/* ---- shared by the models ---- */

static int lm_find_f(const char *const *fs, const char *f)
{
	for (int i = 0; fs[i]; i++)
		if (strcmp(fs[i], f) == 0)
			return i;
	return -1;
}

static void lm_describe_state(const lin_vals *p, uint64_t s, char *buf, size_t n)
{
	char v[72];
	lin_vals_show(p, (uint32_t)s, v, sizeof v);
	snprintf(buf, n, "holds %s", v);
}

/* ---- the register: read, write, cas over any values; starts nil ---- */

enum { REG_READ, REG_WRITE, REG_CAS };
static const char *const reg_fs[] = {"read", "write", "cas", NULL};

static lin_make_rc reg_make(lin_vals *p, const char *f, int outcome, uint32_t in, uint32_t out,
			    lin_opv *op, char *err, size_t errlen)
{
	memset(op, 0, sizeof *op);
	int k = lm_find_f(reg_fs, f);
	if (k < 0) {
		snprintf(err, errlen, "operation '%s' is not one of the register's (read, write, "
			 "cas)", f);
		return LIN_MAKE_BAD;
	}
	op->f = (uint8_t)k;
	op->known = outcome != LIN_OPEN;
	switch (k) {
	case REG_READ:
		/* a read that failed or never returned observed nothing: any state accepts it */
		if (outcome != LIN_DONE)
			return LIN_MAKE_DROP;
		op->out = out;
		return LIN_MAKE_KEEP;
	case REG_WRITE:
		if (outcome == LIN_FAILED)
			return LIN_MAKE_DROP;   /* a definite failure did not happen */
		op->a = in != LIN_NIL ? in : out;
		return LIN_MAKE_KEEP;
	default: {
		uint32_t v = in != LIN_NIL ? in : out;
		const lin_val *x = lin_vals_get(p, v);
		if (x->type != LV_VEC || x->nkids != 2) {
			char b[72];
			lin_vals_show(p, v, b, sizeof b);
			snprintf(err, errlen, "cas needs a value [from to], got %s", b);
			return LIN_MAKE_BAD;
		}
		op->a = p->kid[x->kids];
		op->b = p->kid[x->kids + 1];
		/* a failed cas is an observation: it ran and the register did not hold `from` */
		op->failed = outcome == LIN_FAILED;
		return LIN_MAKE_KEEP;
	}
	}
}

static uint64_t reg_init(lin_vals *p) { (void)p; return LIN_NIL; }

static bool reg_step(lin_vals *p, uint64_t s, const lin_opv *op, uint64_t *next)
{
	(void)p;
	switch (op->f) {
	case REG_READ:
		*next = s;
		return s == op->out;
	case REG_WRITE:
		*next = op->a;
		return true;
	default:
		if (!op->known) {           /* pending: takes effect if it can */
			*next = s == op->a ? op->b : s;
			return true;
		}
		if (op->failed) {
			*next = s;
			return s != op->a;
		}
		*next = op->b;
		return s == op->a;
	}
}

static void reg_describe_op(const lin_vals *p, const lin_opv *op, const char *who, char *buf,
			    size_t n)
{
	char a[72], b[72];
	const char *pend = op->known ? "" : " (pending)";
	switch (op->f) {
	case REG_READ:
		lin_vals_show(p, op->out, a, sizeof a);
		snprintf(buf, n, "read%s returned %s", who, a);
		break;
	case REG_WRITE:
		lin_vals_show(p, op->a, a, sizeof a);
		snprintf(buf, n, "write(%s)%s%s", a, who, pend);
		break;
	default:
		lin_vals_show(p, op->a, a, sizeof a);
		lin_vals_show(p, op->b, b, sizeof b);
		snprintf(buf, n, "cas(%s -> %s)%s%s", a, b, who, op->known ? op->failed ? " failed" :
			 " succeeded" : pend);
		break;
	}
}

static bool reg_writes(const lin_opv *op) { return op->f != REG_READ && !op->failed; }

const lin_model lin_model_register = {
	"register", "register", reg_fs, reg_make, reg_init, reg_step, lm_describe_state,
	reg_describe_op, reg_writes,
};

/* ---- the key-value store: each key a string, "" at first; get, put, append ---- */

enum { KV_GET, KV_PUT, KV_APPEND };
static const char *const kv_fs[] = {"get", "put", "append", NULL};

/* Values as strings: nil is "", a number or keyword its text. */
static uint32_t kv_str(lin_vals *p, uint32_t v)
{
	const lin_val *x = lin_vals_get(p, v);
	if (x->type == LV_STR)
		return v;
	if (x->type == LV_NIL)
		return lin_vals_scalar(p, LV_STR, "", 0, 0);
	const char *t = lin_vals_text(p, v);
	return lin_vals_scalar(p, LV_STR, t, strlen(t), 0);
}

static lin_make_rc kv_make(lin_vals *p, const char *f, int outcome, uint32_t in, uint32_t out,
			   lin_opv *op, char *err, size_t errlen)
{
	memset(op, 0, sizeof *op);
	int k = lm_find_f(kv_fs, f);
	if (k < 0) {
		snprintf(err, errlen, "operation '%s' is not one of the key-value store's (get, "
			 "put, append)", f);
		return LIN_MAKE_BAD;
	}
	op->f = (uint8_t)k;
	op->known = outcome != LIN_OPEN;
	if (outcome == LIN_FAILED)
		return LIN_MAKE_DROP;       /* a failed get saw nothing; a failed put did nothing */
	if (k == KV_GET) {
		if (outcome != LIN_DONE)
			return LIN_MAKE_DROP;
		op->out = kv_str(p, out);
		return LIN_MAKE_KEEP;
	}
	op->a = kv_str(p, in != LIN_NIL ? in : out);
	return LIN_MAKE_KEEP;
}

static uint64_t kv_init(lin_vals *p) { return lin_vals_scalar(p, LV_STR, "", 0, 0); }

static bool kv_step(lin_vals *p, uint64_t s, const lin_opv *op, uint64_t *next)
{
	switch (op->f) {
	case KV_GET:
		*next = s;
		return s == op->out;
	case KV_PUT:
		*next = op->a;
		return true;
	default: {
		const lin_val *x = lin_vals_get(p, (uint32_t)s), *y = lin_vals_get(p, op->a);
		if (!y->len) {
			*next = s;
			return true;
		}
		(void)x;
		uint32_t known = lin_vals_memo_get(p, KV_APPEND, (uint32_t)s, op->a);
		if (known != LIN_NONE) {
			*next = known;
			return true;
		}
		*next = lin_vals_concat(p, (uint32_t)s, op->a);
		lin_vals_memo_put(p, KV_APPEND, (uint32_t)s, op->a, (uint32_t)*next);
		return true;
	}
	}
}

static void kv_describe_op(const lin_vals *p, const lin_opv *op, const char *who, char *buf,
			   size_t n)
{
	char a[72];
	const char *pend = op->known ? "" : " (pending)";
	lin_vals_show(p, op->f == KV_GET ? op->out : op->a, a, sizeof a);
	if (op->f == KV_GET)
		snprintf(buf, n, "get%s returned %s", who, a);
	else
		snprintf(buf, n, "%s(%s)%s%s", op->f == KV_PUT ? "put" : "append", a, who, pend);
}

static bool kv_writes(const lin_opv *op) { return op->f != KV_GET; }

const lin_model lin_model_kv = {
	"kv", "key", kv_fs, kv_make, kv_init, kv_step, lm_describe_state, kv_describe_op,
	kv_writes,
};

const lin_model *const lin_models[] = {&lin_model_register, &lin_model_kv, NULL};

const lin_model *lin_model_find(const char *name)
{
	for (int i = 0; lin_models[i]; i++)
		if (strcmp(lin_models[i]->name, name) == 0)
			return lin_models[i];
	return NULL;
}
