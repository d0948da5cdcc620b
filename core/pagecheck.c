/*
 * pagecheck.c — the structure of an LMDB 0.9 data file, checked page by page
 * (see pagecheck.h for what and why).
 *
 * Layout (data version 1, host byte order and word size): every page starts
 * with a header: page number (size_t), padding (u16), flags (u16), then the
 * lower and upper bounds of its free space (u16 each) or, on the first page
 * of an overflow run, the run's length in pages (u32). Branch and leaf pages
 * continue with a table of u16 node offsets (lower - header bytes); nodes
 * sit between upper and the end of the page. A node is: data size or child
 * page number (lo u16, hi u16; on 64-bit systems the flags word holds bits
 * 32..47 of a child page number), flags (u16), key size (u16), key, data. A
 * leaf's data is inline, a page number (F_BIGDATA: the data fills an
 * overflow run) or a database record (F_SUBDATA: a named database). Pages 0
 * and 1 hold the two meta records; the one with the larger transaction id
 * is the snapshot LMDB reads. Free-page records are lists of page numbers
 * (count first) keyed by transaction id.
 *
 * Pages are read with pread into one buffer per tree level, never mapped:
 * memory stays at a few hundred KiB plus one byte per page of the file,
 * whatever its size, and no address space is taken beside LMDB's own map
 * (a whole-file mapping made a 45,000-record vault fail to open under a
 * 256 MiB `ulimit -v`, and kept a 100,000-record vault's 350 MiB resident).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pagecheck.h"

#define LM_MAGIC      0xBEEFC0DEu
#define LM_VERSION    1
#define P_BRANCH      0x01
#define P_LEAF        0x02
#define P_OVERFLOW    0x04
#define P_META        0x08
#define F_BIGDATA     0x01
#define F_SUBDATA     0x02
#define MAX_KEY       511         /* LMDB's default largest key */
#define MAX_DEPTH     32          /* LMDB's cursor stack */
#define NO_PAGE       (~(size_t)0)
#define PAGEHDR       (sizeof(size_t) + 8)
#define NODEHDR       8
#define NBUF          (2 * MAX_DEPTH + 2)
#define SMALL_TREE    64          /* pages: a quick check still reads all of it */

struct lm_db {
	uint32_t pad;           /* page size, in the free-page record */
	uint16_t flags, depth;
	size_t branch, leaf, overflow, entries, root;
};

struct lm_meta {
	uint32_t magic, version;
	void *address;
	size_t mapsize;
	struct lm_db dbs[2];
	size_t last_pg, txnid;
};

struct lm_node {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	uint16_t hi, lo;
#else
	uint16_t lo, hi;
#endif
	uint16_t flags, ksize;
};

enum tree { TREE_FREE, TREE_MAIN, TREE_NAMED };
enum { PG_UNSEEN, PG_USED, PG_FREE };

struct idl {
	unsigned char *data;    /* a copy: page buffers are reused */
	size_t len;
	size_t pgno;            /* the leaf page it was found in */
};

struct check {
	int fd;
	size_t size, psize, last;
	unsigned char *bufs;    /* NBUF pages: the page being read at each depth */
	unsigned char *state;   /* per page: PG_* */
	struct idl *idls;
	size_t nidl, capidl;
	int quick;              /* PAGECHECK_QUICK: large trees only at their root */
	char *msg;
	size_t msglen;
};

static enum status bad(struct check *c, size_t pgno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum status
bad(struct check *c, size_t pgno, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->msg, c->msglen, "page %zu: ", pgno);

	if (n >= 0 && (size_t)n < c->msglen) {
		va_start(ap, fmt);
		vsnprintf(c->msg + n, c->msglen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return ST_TAMPERED;
}

static uint16_t
get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static enum status
nomem(struct check *c)
{
	snprintf(c->msg, c->msglen, "out of memory");
	return ST_NOMEM;
}

/* Reads len bytes from byte `off` of page pgno, a page inside the file. */
static enum status
read_at(struct check *c, size_t pgno, size_t off, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(c->fd, (unsigned char *)buf + done, len - done,
		    (off_t)(pgno * c->psize + off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(c->msg, c->msglen, "cannot read page %zu: %s", pgno,
			    n < 0 ? strerror(errno) : "the file ended");
			return ST_IO;
		}
		done += (size_t)n;
	}
	return ST_OK;
}

/* Marks pages [pgno, pgno + n) as used by a tree. */
static enum status
claim(struct check *c, size_t pgno, size_t n, size_t from)
{
	if (pgno < 2 || pgno > c->last || n == 0 || n - 1 > c->last - pgno)
		return bad(c, from, "refers to page %zu (%zu pages), outside the %zu pages in use",
		    pgno, n, c->last + 1);
	for (size_t i = pgno; i < pgno + n; i++) {
		if (c->state[i] != PG_UNSEEN)
			return bad(c, from, "refers to page %zu, which another node uses too", i);
		c->state[i] = PG_USED;
	}
	return ST_OK;
}

/* An overflow run holding dsize bytes, referred to from page `from`. Only
 * its header is read, and its value too when data is not NULL (a free-page
 * list): *data is then a copy the caller frees. */
static enum status
overflow(struct check *c, size_t pgno, size_t dsize, size_t from, unsigned char **data)
{
	size_t n = (PAGEHDR - 1 + dsize) / c->psize + 1;
	unsigned char p[PAGEHDR];
	size_t head;
	uint32_t pages;
	enum status st;

	/* The run may be longer than the value needs: LMDB rewrites a value in
	 * place in a run written earlier in the same transaction, keeping its
	 * length. It claims all its pages. */
	if ((st = claim(c, pgno, 1, from)) != ST_OK || (st = read_at(c, pgno, 0, p, sizeof p)) != ST_OK)
		return st;
	memcpy(&head, p, sizeof head);
	memcpy(&pages, p + sizeof(size_t) + 4, sizeof pages);
	if (head != pgno || get16(p + sizeof(size_t) + 2) != P_OVERFLOW || pages < n)
		return bad(c, pgno, "the overflow page for a %zu-byte value of page %zu has a "
		    "damaged header", dsize, from);
	if (pages > 1 && (st = claim(c, pgno + 1, pages - 1, from)) != ST_OK)
		return st;
	if (data == NULL)
		return ST_OK;
	if ((*data = malloc(dsize ? dsize : 1)) == NULL)
		return nomem(c);
	if ((st = read_at(c, pgno, PAGEHDR, *data, dsize)) != ST_OK) {
		free(*data);
		*data = NULL;
	}
	return st;
}

static enum status walk(struct check *c, size_t pgno, enum tree tree, int depth, int descend);

/* A tree a quick check still reads whole: the metadata, the users. */
static int
small_tree(const struct lm_db *db)
{
	return db->branch + db->leaf + db->overflow <= SMALL_TREE;
}

static enum status
leaf_node(struct check *c, size_t pgno, const unsigned char *node, size_t room,
    enum tree tree, int depth)
{
	struct lm_node h;
	unsigned char *data = NULL;
	size_t dsize, ov;
	struct lm_db db;
	enum status st;

	memset(&db, 0, sizeof db);
	memcpy(&h, node, sizeof h);
	dsize = (size_t)h.lo | (size_t)h.hi << 16;
	if (h.flags & ~(F_BIGDATA | F_SUBDATA) || (h.flags & F_SUBDATA && tree != TREE_MAIN))
		return bad(c, pgno, "a node has flags 0x%x that this kind of table never uses",
		    h.flags);
	if (h.ksize > MAX_KEY || (tree == TREE_FREE && h.ksize != sizeof(size_t)))
		return bad(c, pgno, "a key of %u bytes", (unsigned)h.ksize);
	if (h.flags & F_BIGDATA) {
		if (NODEHDR + (size_t)h.ksize + sizeof(size_t) > room)
			return bad(c, pgno, "a node runs past the end of the page");
		memcpy(&ov, node + NODEHDR + h.ksize, sizeof ov);
		if ((st = overflow(c, ov, dsize, pgno, tree == TREE_FREE ? &data : NULL)) != ST_OK)
			return st;
		if (tree == TREE_FREE && c->quick) {
			free(data);
			return ST_OK;
		}
	} else {
		if (NODEHDR + (size_t)h.ksize + dsize > room)
			return bad(c, pgno, "a node runs past the end of the page");
		if (tree == TREE_FREE && !c->quick) {
			if ((data = malloc(dsize ? dsize : 1)) == NULL)
				return nomem(c);
			memcpy(data, node + NODEHDR + h.ksize, dsize);
		} else if (dsize == sizeof db) {
			memcpy(&db, node + NODEHDR + h.ksize, sizeof db);
		}
	}
	if (tree == TREE_FREE) {
		if (c->quick)
			return ST_OK;
		if (c->nidl == c->capidl) {
			size_t cap = c->capidl ? 2 * c->capidl : 16;
			struct idl *grown = realloc(c->idls, cap * sizeof *grown);
			if (grown == NULL) {
				free(data);
				return nomem(c);
			}
			c->idls = grown;
			c->capidl = cap;
		}
		c->idls[c->nidl].data = data;
		c->idls[c->nidl].len = dsize;
		c->idls[c->nidl++].pgno = pgno;
		return ST_OK;
	}
	if (!(h.flags & F_SUBDATA))
		return ST_OK;
	if (h.flags & F_BIGDATA || dsize != sizeof db)
		return bad(c, pgno, "a table record of %zu bytes", dsize);
	/* Intake's tables are plain: sorted duplicates or integer keys
	 * would mean another program's file, or damage. */
	if (db.flags != 0)
		return bad(c, pgno, "a table with flags 0x%x, which Intake never creates",
		    (unsigned)db.flags);
	if (db.root == NO_PAGE)
		return ST_OK;
	return walk(c, db.root, TREE_NAMED, depth + 1, !c->quick || small_tree(&db));
}

/* A branch or leaf page and, when descend is set, everything under it. */
static enum status
walk(struct check *c, size_t pgno, enum tree tree, int depth, int descend)
{
	const unsigned char *p;
	size_t head, nkeys;
	uint16_t flags, lower, upper;
	enum status st;

	if (depth > 2 * MAX_DEPTH)
		return bad(c, pgno, "the tree is deeper than LMDB can read");
	if ((st = claim(c, pgno, 1, pgno)) != ST_OK ||
	    (st = read_at(c, pgno, 0, c->bufs + (size_t)depth * c->psize, c->psize)) != ST_OK)
		return st;
	p = c->bufs + (size_t)depth * c->psize;
	memcpy(&head, p, sizeof head);
	/* Exactly: LMDB writes into a page marked dirty as if it were its own
	 * copy, which on a read-only map is a crash. */
	flags = get16(p + sizeof(size_t) + 2);
	lower = get16(p + sizeof(size_t) + 4);
	upper = get16(p + sizeof(size_t) + 6);
	if (head != pgno)
		return bad(c, pgno, "the page says it is page %zu", head);
	if (flags != P_BRANCH && flags != P_LEAF)
		return bad(c, pgno, "a page of type 0x%x where a branch or leaf page belongs",
		    (unsigned)flags);
	if (lower < PAGEHDR || lower > upper || upper > c->psize || (lower - PAGEHDR) % 2 != 0)
		return bad(c, pgno, "its node table bounds (%u, %u) are impossible",
		    (unsigned)lower, (unsigned)upper);
	nkeys = (lower - PAGEHDR) / 2;
	if (nkeys == 0 || (flags == P_BRANCH && tree != TREE_FREE && nkeys < 2))
		return bad(c, pgno, "a %s page with %zu nodes", flags == P_BRANCH ? "branch" : "leaf",
		    nkeys);
	for (size_t i = 0; i < nkeys; i++) {
		size_t off = get16(p + PAGEHDR + 2 * i), child;
		struct lm_node h;

		if (off < upper || off % 2 != 0 || off + NODEHDR > c->psize)
			return bad(c, pgno, "node %zu lies outside the page (offset %zu)", i, off);
		memcpy(&h, p + off, sizeof h);
		if (!descend)
			continue;
		if (flags == P_LEAF) {
			st = leaf_node(c, pgno, p + off, c->psize - off, tree, depth);
			if (st != ST_OK)
				return st;
			continue;
		}
		if (h.ksize > MAX_KEY || NODEHDR + (size_t)h.ksize > c->psize - off)
			return bad(c, pgno, "node %zu has a key of %u bytes", i, (unsigned)h.ksize);
		child = (size_t)h.lo | (size_t)h.hi << 16;
#if SIZE_MAX > 0xFFFFFFFFu
		child |= (size_t)h.flags << 32;
#endif
		if ((st = walk(c, child, tree, depth + 1, 1)) != ST_OK)
			return st;
	}
	return ST_OK;
}

/* Free-page lists: well formed, no page both free and in use, none lost. */
static enum status
free_lists(struct check *c)
{
	for (size_t i = 0; i < c->nidl; i++) {
		const struct idl *l = &c->idls[i];
		size_t n, id;

		if (l->len < sizeof(size_t) || l->len % sizeof(size_t) != 0)
			return bad(c, l->pgno, "a free-page list of %zu bytes", l->len);
		memcpy(&n, l->data, sizeof n);
		if (n != l->len / sizeof(size_t) - 1)
			return bad(c, l->pgno, "a free-page list says %zu pages in %zu bytes", n, l->len);
		for (size_t k = 1; k <= n; k++) {
			memcpy(&id, l->data + k * sizeof(size_t), sizeof id);
			if (id < 2 || id > c->last)
				return bad(c, l->pgno, "the free-page list names page %zu, outside the "
				    "file", id);
			if (c->state[id] != PG_UNSEEN)
				return bad(c, l->pgno, "the free-page list names page %zu, which is %s",
				    id, c->state[id] == PG_USED ? "in use" : "listed twice");
			c->state[id] = PG_FREE;
		}
	}
	/* LMDB keeps every page up to the last one either in a tree or on a
	 * free list; one that is neither was cut off by a damaged pointer. */
	for (size_t id = 2; id <= c->last; id++)
		if (c->state[id] == PG_UNSEEN)
			return bad(c, id, "neither in use nor free: a pointer to it was damaged");
	return ST_OK;
}

static int
meta_read(const unsigned char *page, struct lm_meta *m)
{
	memcpy(m, page + PAGEHDR, sizeof *m);
	return (get16(page + sizeof(size_t) + 2) & P_META) && m->magic == LM_MAGIC &&
	    m->version == LM_VERSION;
}

enum status
pagecheck_run(int fd, size_t txnid, enum pagecheck_mode mode, char *msg, size_t msglen)
{
	unsigned char head[PAGEHDR + sizeof(struct lm_meta)];
	struct check c;
	struct lm_meta m0, m1, *m;
	struct stat sb;
	enum status st;

	memset(&c, 0, sizeof c);
	c.fd = fd;
	c.quick = mode == PAGECHECK_QUICK;
	c.msg = msg;
	c.msglen = msglen;
	/* The meta records first, then the size: LMDB writes a transaction's
	 * pages before its meta record, so the file is then at least as long
	 * as the snapshot the record describes, even while others write. */
	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head || !meta_read(head, &m0)) {
		snprintf(msg, msglen, "its first page is not an LMDB meta page");
		return ST_FORMAT;
	}
	c.psize = m0.dbs[0].pad;
	if (c.psize < 512 || c.psize > 65536 || (c.psize & (c.psize - 1)) != 0 ||
	    pread(fd, head, sizeof head, (off_t)c.psize) != (ssize_t)sizeof head ||
	    !meta_read(head, &m1) || m1.dbs[0].pad != m0.dbs[0].pad)
		return bad(&c, 1, "the meta pages disagree or are damaged");
	if (txnid != 0 && m0.txnid == txnid)
		m = &m0;
	else if (txnid != 0 && m1.txnid == txnid)
		m = &m1;
	else
		m = m1.txnid > m0.txnid ? &m1 : &m0;
	if (fstat(fd, &sb) != 0) {
		snprintf(msg, msglen, "cannot read the data file: %s", strerror(errno));
		return ST_IO;
	}
	c.size = (uint64_t)sb.st_size > SIZE_MAX ? 0 : (size_t)sb.st_size;
	c.last = m->last_pg;
	if (c.last < 1 || c.last >= c.size / c.psize)
		return bad(&c, m == &m1 ? 1 : 0, "the last page in use is %zu but the file holds "
		    "%zu pages: it was truncated", c.last, c.size / c.psize);
	c.bufs = malloc(NBUF * c.psize);
	c.state = calloc(c.last + 1, 1);
	if (c.bufs == NULL || c.state == NULL) {
		st = nomem(&c);
		goto done;
	}
	c.state[0] = c.state[1] = PG_USED;
	st = ST_OK;
	if (m->dbs[0].root != NO_PAGE)
		st = walk(&c, m->dbs[0].root, TREE_FREE, 0, !c.quick || small_tree(&m->dbs[0]));
	if (st == ST_OK && m->dbs[1].root != NO_PAGE)
		st = walk(&c, m->dbs[1].root, TREE_MAIN, 0, 1);
	/* Which pages are free can only be told once every tree was read. */
	if (st == ST_OK && !c.quick)
		st = free_lists(&c);
done:
	for (size_t i = 0; i < c.nidl; i++)
		free(c.idls[i].data);
	free(c.state);
	free(c.idls);
	free(c.bufs);
	return st;
}

size_t
pagecheck_map_size(int fd)
{
	unsigned char head[PAGEHDR + sizeof(struct lm_meta)];
	struct lm_meta m0, m1;
	size_t psize;

	if (pread(fd, head, sizeof head, 0) != (ssize_t)sizeof head || !meta_read(head, &m0))
		return 0;
	psize = m0.dbs[0].pad;
	if (psize < 512 || psize > 65536 || (psize & (psize - 1)) != 0 ||
	    pread(fd, head, sizeof head, (off_t)psize) != (ssize_t)sizeof head ||
	    !meta_read(head, &m1))
		return m0.mapsize;
	return m1.txnid > m0.txnid ? m1.mapsize : m0.mapsize;
}

enum status
pagecheck_file(int fd, size_t txnid, char *msg, size_t msglen)
{
	return pagecheck_run(fd, txnid, PAGECHECK_FULL, msg, msglen);
}

/* ---- the clean-close mark ------------------------------------------------ */

#define MARK_MAGIC "intake-pagecheck-1"

struct mark {
	char magic[24];
	uint64_t dev, ino, size, txnid;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
};

static int
mark_of(int data_fd, size_t txnid, struct mark *m)
{
	struct stat sb;

	if (fstat(data_fd, &sb) != 0)
		return 0;
	memset(m, 0, sizeof *m);
	memcpy(m->magic, MARK_MAGIC, sizeof MARK_MAGIC);
	m->dev = (uint64_t)sb.st_dev;
	m->ino = (uint64_t)sb.st_ino;
	m->size = (uint64_t)sb.st_size;
	m->txnid = txnid;
	m->mtime_s = (int64_t)sb.st_mtim.tv_sec;
	m->mtime_ns = (int64_t)sb.st_mtim.tv_nsec;
	m->ctime_s = (int64_t)sb.st_ctim.tv_sec;
	m->ctime_ns = (int64_t)sb.st_ctim.tv_nsec;
	return 1;
}

int
pagecheck_mark_matches(const char *path, int data_fd, size_t txnid)
{
	struct mark want, have;
	struct stat sb;
	ssize_t n;
	int fd;

	if (!mark_of(data_fd, txnid, &want))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	n = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? pread(fd, &have, sizeof have, 0) : -1;
	close(fd);
	return n == (ssize_t)sizeof have && memcmp(&have, &want, sizeof have) == 0;
}

void
pagecheck_mark_write(const char *path, int data_fd, size_t txnid, mode_t mode)
{
	struct mark m;
	struct stat sb;
	int fd;

	if (!mark_of(data_fd, txnid, &m))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_nlink == 1 &&
	    pwrite(fd, &m, sizeof m, 0) == (ssize_t)sizeof m && sb.st_uid == geteuid())
		(void)fchmod(fd, mode);
	close(fd);
}
