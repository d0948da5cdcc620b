/*
 * pagecheck.h — checks the structure of an LMDB data file before LMDB reads
 * it.
 *
 * LMDB trusts its pages: a node pointer, a size or a page number damaged on
 * disk makes it read outside the page or the file (SIGSEGV, SIGBUS) or fail
 * an assertion (abort). The vault checks its file when it opens, so a
 * damaged vault gives a message instead of a crash.
 *
 * When the vault opens (vault_store.c, check_pages): a full check unless
 * the clean-close mark (below) says that this very file, unchanged since,
 * was checked or closed cleanly at this very snapshot; then a quick check.
 * So a page damaged after a clean close is named by the next open (the
 * damage moved the file's change time: tests/unit/test_pagecheck.c,
 * tests/cli/limits.sh). `intake verify` (vault_verify) always runs the
 * full check, and so names a page damaged however and whenever it was
 * damaged, even in the mark's one gap (below).
 *
 * What is checked, for the newest snapshot (the one LMDB reads): both meta
 * pages (magic, version, page size), the file is as long as the last page in
 * use, and every page of the free-page tree, the main tree and every named
 * database: page number, type, bounds of the node table, every node inside
 * its page, keys no longer than LMDB allows, every overflow run inside the
 * file with a matching header, no page used twice, the free lists well
 * formed and disjoint from pages in use, and every page either in use or
 * free. Values are not read: the vault authenticates them.
 *
 * Contracts:
 *  - It knows the on-disk format of LMDB 0.9 (data version 1) for this
 *    machine's word size, the same format the linked liblmdb writes.
 *  - fd is the open data file; it is only read (pread, never mapped). The
 *    caller holds a read transaction of that environment
 *    while it runs and passes its id (mdb_txn_id; 0 = the newest
 *    snapshot): no writer reuses a page of that snapshot or of a newer
 *    one, so the check holds while other processes write.
 *  - Returns ST_OK, ST_TAMPERED (damage: msg says where and what), ST_FORMAT
 *    (not an LMDB file of this format) or ST_IO/ST_NOMEM; msg is always
 *    set on failure. A full check reads every branch and leaf page and the
 *    first page of every overflow run (0.3 s of CPU at 100,000 records, 2.2
 *    s at a million, plus the file's reading time cold), one page at a
 *    time with pread: memory is about 300 KiB plus one byte per page.
 *  - PAGECHECK_QUICK reads the meta pages, the file's length, the table of
 *    tables, every table of at most 64 pages (the metadata and users among
 *    them) whole, and only the root page of larger tables and of a large
 *    free-page tree; it does not compare free lists with pages in use.
 *    Under a millisecond (37 KiB read) whatever the size.
 */
#ifndef INTAKE_PAGECHECK_H
#define INTAKE_PAGECHECK_H

#include <stddef.h>
#include <sys/types.h>
#include "status.h"

enum pagecheck_mode { PAGECHECK_FULL, PAGECHECK_QUICK };

enum status pagecheck_run(int fd, size_t txnid, enum pagecheck_mode mode, char *msg,
    size_t msglen);
enum status pagecheck_file(int fd, size_t txnid, char *msg, size_t msglen);  /* FULL */
/* The map size the newest meta page records (the size LMDB will map on
 * open), unchecked; 0 when the meta pages cannot be read. */
size_t pagecheck_map_size(int fd);

/*
 * The clean-close mark: a small file beside data.mdb (PAGECHECK_MARK) that
 * holds the snapshot (transaction id) last checked, or left by a process
 * that closed the vault cleanly, with the data file's device, inode, size,
 * and modification and change times (to the nanosecond) as they were
 * then. Any write to data.mdb afterwards, by LMDB or by anything else
 * (a flipped byte, a copy over it, a restore), moves its change time,
 * which no user can set back; a new file has a new inode. So the mark
 * matches only while the file is byte for byte what was checked, or what
 * LMDB processes made of it since and the last of them closed cleanly.
 *
 * Limits: LMDB's own writes are trusted (a process that closes cleanly
 * vouches for the commits made while it had the vault open, its own and
 * other processes'); damage done while some process has the vault open
 * and a later clean close, damage by someone who can reset the system
 * clock, or bit rot inside the disk that the kernel never saw, is caught
 * by `intake verify`, not at open. The mark is not secret and not
 * authenticated: whoever can write it can write data.mdb itself.
 *
 * pagecheck_mark_matches: 1 when the mark at path describes data_fd as it
 * is now and names txnid; 0 otherwise (no mark, unreadable, other file).
 * pagecheck_mark_write: records data_fd as it is now with txnid; best
 * effort (a read-only vault directory just keeps the full check). Written
 * in place with one pwrite, so a group member can update a mark another
 * member made; a torn mark only fails to match.
 */
#define PAGECHECK_MARK "checked.mark"
int pagecheck_mark_matches(const char *path, int data_fd, size_t txnid);
void pagecheck_mark_write(const char *path, int data_fd, size_t txnid, mode_t mode);

#endif
