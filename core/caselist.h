/*
 * caselist.h — the rows of the case list: every summary the unlocked user may
 * read plus their drafts, drafts first and then newest first, and the subset
 * that matches what is typed in the search field. No curses and no printing
 * here: the case list screen (tui/scr_cases.c) draws what this gives, and
 * `intake record list` (tui/cmd_record.c) prints it. The summaries it reads
 * are the ones interview_summary_json (interview.h) writes.
 *
 * Built to open 100,000 cases in a few tens of milliseconds on an old PC:
 * 24 bytes per row in fixed blocks that never move (growing copies
 * nothing); a row's interviewer, form, language, status and outcome are
 * stored once per distinct value, so a search tests each distinct value
 * once per keystroke and then mostly compares numbers; the order is a radix
 * sort of packed start times. Rows name outcomes and interviewers: every
 * byte of them is wiped before it is freed, and never realloc'ed.
 *
 * Search syntax (caselist_filter): words separated by spaces, all of which
 * must match (AND). A plain word matches any column (case code, date,
 * interviewer, form, language, status, outcome) anywhere in it. A qualified
 * word matches the start of one column: status:W, outcome:W, form:W, lang:W,
 * by:W (the interviewer). date:P matches start dates beginning with P (2025,
 * 2025-11, 2025-11-02); date:A..B those from A to B inclusive, each end at
 * its own precision (date:2025-10..2025-11 is October and November); either
 * end may be left out. Letters compare ASCII case-insensitively.
 */
#ifndef INTAKE_CASELIST_H
#define INTAKE_CASELIST_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"
#include "vault.h"

struct caselist;

/* Where caselist_load found the summaries. */
enum caselist_source {
	CASELIST_LISTING,               /* the vault's sealed listing (fast) */
	CASELIST_SCAN,                  /* no listing: every summary decrypted */
	CASELIST_LISTING_DAMAGED,       /* the listing failed its integrity check:
	                                 * read by scan; a supervisor should run
	                                 * `intake verify` */
};

/* One row, for drawing. The pointers point into the list and stay valid
 * until the next caselist_load, caselist_clear or caselist_free; the caller
 * wipes a copy it no longer needs if it kept one. A summary that
 * failed its own integrity check is a row with status "DAMAGED" and empty
 * columns: shown, not hidden, since it is something to report. */
struct caselist_row {
	struct record_id id;
	bool draft;                     /* the user's unfinished interview */
	bool damaged;                   /* its summary failed its integrity check */
	char code[16];                  /* case code, or "(draft)" */
	char started[24];               /* "YYYY-MM-DDTHH:MM:SSZ" as stored */
	const char *interviewer, *form, *lang, *status, *outcome;
	/* Drafts only (else "", -1, false): when it was last saved, as
	 * "YYYY-MM-DD HH:MM" UTC ("" when the draft does not say); how many
	 * questions are answered (-1 unknown); and whether it is another
	 * user's draft, listed for a supervisor to discard, by owner
	 * (interviewer) only. A draft has no outcome: outcome is "". */
	char saved[24];
	int answered;
	bool others;
};

#define CASELIST_TERMS_MAX 32           /* words in one search */
#define CASELIST_QUERY_MAX 512          /* bytes of one search */

/* NULL when out of memory. free wipes everything and accepts NULL. */
struct caselist *caselist_new(void);
void caselist_free(struct caselist *cl);
/* Wipes and drops every row (the search stays). */
void caselist_clear(struct caselist *cl);
/* Options of the next caselist_load; 0 (the default) is what the case list
 * screen shows. */
enum {
	CASELIST_NO_DRAFTS = 1 << 0,    /* saved records only, no drafts */
	CASELIST_VERBATIM = 1 << 1,     /* columns as the summaries hold them:
	                                 * escapes decoded, control characters
	                                 * kept, up to 255 bytes, for a caller
	                                 * that filters its own output
	                                 * (`intake record list` through
	                                 * outsafe.h). Without it a column has
	                                 * no control character (each becomes a
	                                 * space, a \u escape '?') and at most 95
	                                 * bytes, ready to draw. */
};
void caselist_set_options(struct caselist *cl, unsigned opts);

/* Replaces the rows with what the unlocked user of v may see now: from the
 * vault's listing when it has a sound one, else from a scan of every
 * summary; then the user's drafts, and for who may discard them (vault.h,
 * vault_draft_others) other users' drafts. An interviewer gets their own
 * cases, a supervisor everyone's. Applies the last search given to caselist_filter.
 * *src says which way the summaries were read. On an error (vault_errmsg(v)
 * says what, except ST_NOMEM) the rows read before it are kept. */
enum status caselist_load(struct caselist *cl, struct vault *v, enum caselist_source *src);

/* Rows loaded, and rows that match the search. */
size_t caselist_count(const struct caselist *cl);
size_t caselist_shown(const struct caselist *cl);
/* The i-th matching row in display order; false when i >= caselist_shown. */
bool caselist_row(const struct caselist *cl, size_t i, struct caselist_row *out);

/* Sets the search (syntax above) and recomputes the matching rows, without
 * allocating. ST_INVALID with a message in err for a word that cannot be
 * understood (an unknown qualifier, a malformed date or range, too many
 * words, too long): that word is then matched as plain text, so the list
 * still follows what is typed. The search text is wiped when replaced. */
enum status caselist_filter(struct caselist *cl, const char *query, char *err, size_t errlen);

/* For tests only: a supervisor's list of at least min_rows summaries has
 * its memory made and faulted in ahead (caselist.c); 0 restores the
 * program's threshold. */
void caselist_test_ahead(size_t min_rows);

#endif
