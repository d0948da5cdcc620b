/*
 * ctdc.h — the case-level file of the Counter Trafficking Data
 * Collaborative (CTDC) data standard: one row per person identified as a
 * likely or possible victim, in the standard's columns and codings, for a
 * data-sharing agreement with CTDC (which k-anonymises case data before it
 * publishes any).
 *
 * Which records: those of dataset.h (saved, not training) whose respondent
 * answered yes to the statistics consent question and whose outcome is
 * likely_victim or possible_victim. One record is one person: a person
 * screened twice appears twice (records carry no identity to link them).
 *
 * Columns: ctdc_columns, in the standard's order (the global dataset's
 * header). Flags are 1 or 0; what the forms cannot tell is -99; gender
 * Male / Female; ageBroad the bands 0--8 ... 48+; majority statuses Adult /
 * Minor; citizenship and CountryOfExploitation ISO 3166 alpha-2;
 * concatenated columns the names of the flags that are 1 (without their
 * common prefix) joined by ';', or -99 when none is; Datasource "Case
 * Management". Which question
 * fills which column, and why a column is -99: forms/README.md, "CTDC
 * case-level file". The questions are found by their ids in the bundled
 * screening forms; a form without them gives -99 there.
 */
#ifndef INTAKE_CTDC_H
#define INTAKE_CTDC_H

#include <stddef.h>

#include "dataset.h"
#include "status.h"
#include "vault.h"

#define CTDC_NCOLUMNS 63

/* The column names, in order. */
extern const char *const ctdc_columns[CTDC_NCOLUMNS];

/* CTDC's age bands (ageBroad), shared with the statistics: the codes the
 * bundled age_band question answers with, CTDC's name of each, and the band
 * of an age in years (CTDC_NBANDS past the last). */
#define CTDC_NBANDS 9
extern const char *const ctdc_band_codes[CTDC_NBANDS];
extern const char *const ctdc_band_names[CTDC_NBANDS];
size_t ctdc_band_of_age(double age);

struct ctdc_result {
	size_t rows;                   /* people written */
	size_t no_consent;             /* likely or possible victims without statistics consent */
	struct dataset_counts counts;
};

/* Writes the file (RFC 4180, header first) to fd, which the caller created
 * (export_create()) and closes. Needs a supervisor (ST_DENIED). ST_IO when
 * writing fails (err names the cause). Otherwise as dataset_open() and
 * dataset_scan(). */
enum status ctdc_write(struct vault *v, int fd, const char *forms_dir, struct ctdc_result *r,
    char *err, size_t errlen);

#endif
