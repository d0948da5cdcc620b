/*
 * xlsform.h — turns an XLSForm workbook (.xlsx: survey, choices, settings
 * sheets, and Intake's optional indicators and outcomes sheets) into an
 * Intake form in YAML, then checks that YAML with the form loader.
 *
 * Contracts:
 *  - The workbook is hostile data. Every part read from it is bounded
 *    (XLSFORM_MAX_*), sizes are checked before anything is inflated and
 *    reading stops at the bound whatever the archive declares, XML parts
 *    with a DTD are refused (no entity can expand), nothing is fetched from
 *    the network.
 *  - Problems go into `diags` with the file "NAME:SHEET!ROW:COL" (ROW a
 *    1-based sheet row, COL a column letter such as B) and no line, so they
 *    print as "q.xlsx:survey!7:B: error: ..."; problems the form loader
 *    finds in the YAML are reported at the cell the YAML line came from.
 *    Problems about the workbook as a whole carry just NAME.
 *  - ST_OK: *yaml is the form (NUL-terminated, *len bytes, the caller
 *    frees it) and it loads; diags may hold warnings (columns ignored).
 *    ST_INVALID: at least one error, *yaml NULL. ST_NOMEM.
 *  - `form_name` is the name the YAML will be saved under (its folder is
 *    where a `referrals` file named in the settings is looked for); NULL:
 *    `name`.
 *  - Nothing here prints, exits or writes a file.
 */
#ifndef INTAKE_XLSFORM_H
#define INTAKE_XLSFORM_H

#include <stddef.h>
#include "diag.h"
#include "status.h"

#define XLSFORM_MAX_FILE      (8u * 1024 * 1024)   /* the .xlsx itself */
#define XLSFORM_MAX_PART      (8u * 1024 * 1024)   /* one inflated XML part */
#define XLSFORM_MAX_TOTAL     (24u * 1024 * 1024)  /* all parts read, inflated */
#define XLSFORM_MAX_ENTRIES   1000                 /* members of the archive */
#define XLSFORM_MAX_ROWS      10000                /* per sheet */
#define XLSFORM_MAX_COLS      100                  /* headed columns per sheet */
#define XLSFORM_MAX_CELL      20000                /* bytes of one cell's text */
#define XLSFORM_MAX_STRINGS   200000               /* shared strings */

/* Reads the workbook at path (at most XLSFORM_MAX_FILE bytes). */
enum status xlsform_import_file(const char *path, const char *form_name,
    char **yaml, size_t *len, struct diag_list *diags);

/* Same from memory; `name` is used in messages. */
enum status xlsform_import_buffer(const char *name, const void *buf, size_t size,
    const char *form_name, char **yaml, size_t *len, struct diag_list *diags);

#endif
