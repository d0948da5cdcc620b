/*
 * pagecheck.h — checks the structure of an LMDB data file before LMDB reads
 * it.
 *
 * LMDB trusts its pages: a node pointer, a size or a page number damaged on
 * disk makes it read outside the page or the file (SIGSEGV, SIGBUS) or fail
 * an assertion (abort). The vault calls pagecheck_file() when it opens, so a
 * damaged vault gives a message instead of a crash.
 *
 * What is checked, for the newest snapshot (the one LMDB reads): both meta
 * pages (magic, version, page size), the file is as long as the last page in
 * use, and every page of the free-page tree, the main tree and every named
 * database: page number, type, bounds of the node table, every node inside
 * its page, keys no longer than LMDB allows, every overflow run inside the
 * file with a matching header, no page used twice, the free lists well formed
 * and disjoint from pages in use, and every page either in use or free. Values are not read: the vault
 * authenticates them.
 *
 * Contracts:
 *  - It knows the on-disk format of LMDB 0.9 (data version 1) for this
 *    machine's word size, the same format the linked liblmdb writes.
 *  - fd is the open data file; it is only read (through its own read-only
 *    mapping). The caller holds a read transaction of that environment
 *    while it runs and passes its id (mdb_txn_id; 0 = the newest
 *    snapshot): no writer reuses a page of that snapshot or of a newer
 *    one, so the check holds while other processes write.
 *  - Returns ST_OK, ST_TAMPERED (damage: msg says where and what), ST_FORMAT
 *    (not an LMDB file of this format) or ST_IO/ST_NOMEM; msg is always
 *    set on failure. Reads every branch and leaf page and the first page of
 *    every overflow run: milliseconds for thousands of records.
 */
#ifndef INTAKE_PAGECHECK_H
#define INTAKE_PAGECHECK_H

#include <stddef.h>
#include "status.h"

enum status pagecheck_file(int fd, size_t txnid, char *msg, size_t msglen);

#endif
