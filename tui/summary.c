/*
 * summary.c — answers, indicators and outcome drawn the same way on every
 * screen that shows them.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "summary.h"

/* The reasons an interviewer may pick come first; the last is set by the
 * engine when the interview consent is refused. */
static const char *const end_reasons[][2] = {
	{ "respondent_stopped", N_("The respondent asked to stop") },
	{ "not_safe", N_("It is not safe to continue") },
	{ "no_privacy", N_("No private place: someone is listening") },
	{ "interrupted", N_("Interrupted: cannot continue now") },
	{ "other", N_("Another reason") },
	{ IV_REASON_CONSENT_REFUSED, N_("The respondent did not agree to the interview") },
};
#define N_END_REASONS (sizeof end_reasons / sizeof end_reasons[0])

size_t
summary_end_choices(void)
{
	return N_END_REASONS - 1;
}

const char *
summary_end_code(size_t i)
{
	return i < N_END_REASONS ? end_reasons[i][0] : "";
}

const char *
summary_end_reason(const char *code)
{
	for (size_t i = 0; i < N_END_REASONS; i++)
		if (strcmp(code, end_reasons[i][0]) == 0)
			return _(end_reasons[i][1]);
	return code;
}

void
summary_answer(const struct interview *iv, const struct form *f, size_t q,
    char *buf, size_t len)
{
	summary_answer_in(iv, f, q, interview_lang(iv), buf, len);
}

void
summary_answer_in(const struct interview *iv, const struct form *f, size_t q, size_t lang,
    char *buf, size_t len)
{
	enum iv_answer_kind k = interview_answer_kind(iv, q);
	int list = form_question_choices(f, q);
	size_t used = 0;

	buf[0] = '\0';
	if (k == IV_NONE)
		snprintf(buf, len, "%s", form_question_required(f, q) ? _("(missing)") : "-");
	else if (k == IV_DECLINED)
		snprintf(buf, len, "[%s]", interview_msg(iv, IV_MSG_DECLINED));
	else if (k == IV_DONT_KNOW)
		snprintf(buf, len, "[%s]", interview_msg(iv, IV_MSG_DONT_KNOW));
	else if (list >= 0) {
		for (size_t i = 0; i < form_choice_count(f, (size_t)list) && used < len; i++)
			if (interview_is_selected(iv, q, form_choice_value(f, (size_t)list, i)))
				used += (size_t)snprintf(buf + used, len - used, "%s%s",
				    used ? "; " : "", form_choice_label(f, (size_t)list, i, lang));
	} else
		snprintf(buf, len, "%s", interview_answer_text(iv, q));
}

/* The level of an indicator in the interface language. */
static const char *
level_word(enum form_level level)
{
	switch (level) {
	case FORM_LEVEL_STRONG: return _("strong");
	case FORM_LEVEL_MEDIUM: return _("medium");
	case FORM_LEVEL_WEAK: return _("weak");
	}
	return form_level_name(level);
}

void
summary_indicators(struct ui_pager *p, int x, const struct interview *iv,
    const struct form *f, bool from, int lang2)
{
	size_t lang = interview_lang(iv), guide = interview_guide_lang(iv), qs[32];
	char buf[1024];

	ui_pager_line(p, x, _("Indicators"), A_BOLD);
	if (interview_fired_count(iv) == 0)
		ui_pager_line(p, x + 2, _("none fired"), 0);
	for (size_t i = 0; i < form_indicator_count(f); i++) {
		size_t na;

		if (!interview_indicator_fired(iv, i))
			continue;
		snprintf(buf, sizeof buf, "[%s] %s", level_word(form_indicator_level(f, i)),
		    form_indicator_label(f, i, guide));
		ui_pager_wrap(p, x + 2, buf, 0);
		na = interview_indicator_answers(iv, i, qs, 32);
		for (size_t k = 0; k < na && k < 32; k++) {
			const char *label = form_question_label(f, qs[k], lang);

			if (from) {
				snprintf(buf, sizeof buf, _("from: %s"), label);
				label = buf;
			}
			ui_pager_wrap(p, x + 6, label, A_DIM);
			label = lang2 >= 0 ? form_question_label(f, qs[k], (size_t)lang2) : NULL;
			if (label != NULL && strcmp(label, form_question_label(f, qs[k], lang)) != 0)
				ui_pager_wrap(p, x + 6, label, A_DIM);
		}
	}
}

void
summary_outcome(struct ui_pager *p, int x, const struct form *f, size_t outcome,
    size_t lang)
{
	char buf[1024];

	snprintf(buf, sizeof buf, _("Outcome: %s"), form_outcome_label(f, outcome, lang));
	ui_pager_wrap(p, x, buf, A_BOLD);
	if (form_outcome_advice(f, outcome, lang))
		ui_pager_wrap(p, x + 2, form_outcome_advice(f, outcome, lang), 0);
}

const char *
summary_country(const struct interview *iv, const struct form *f, const char **name)
{
	/* The values of the bundled forms' "countries" list; a form may also
	 * answer with the code itself. */
	static const char *const map[][2] = {
		{ "laos", "LA" }, { "thailand", "TH" }, { "china", "CN" },
		{ "myanmar", "MM" }, { "vietnam", "VN" }, { "cambodia", "KH" },
		{ "malaysia", "MY" },
	};
	int q = iv && f ? form_question_find(f, "interview_country") : -1;
	int list;
	const char *v, *cc = NULL;

	if (q < 0 || interview_answer_kind(iv, (size_t)q) != IV_VALUE)
		return NULL;
	v = interview_answer_text(iv, (size_t)q);
	for (size_t i = 0; v && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(v, map[i][0]) == 0 || strcmp(v, map[i][1]) == 0)
			cc = map[i][1];
	if (cc == NULL)
		return NULL;
	*name = v;
	list = form_question_choices(f, (size_t)q);
	for (size_t i = 0; list >= 0 && i < form_choice_count(f, (size_t)list); i++)
		if (strcmp(form_choice_value(f, (size_t)list, i), v) == 0)
			*name = form_choice_label(f, (size_t)list, i, interview_lang(iv));
	return cc;
}

bool
summary_referral_serves(const struct form *f, size_t r, const char *cc)
{
	size_t n = form_referral_country_count(f, r);

	if (cc == NULL || n == 0)
		return true;
	for (size_t k = 0; k < n; k++)
		if (strcmp(form_referral_country(f, r, k), cc) == 0)
			return true;
	return false;
}

const char *
summary_status(const struct interview *iv)
{
	/* The words interview_status gives, for the catalogs. */
	static const char *const words[] __attribute__((unused)) = {
		/* TRANSLATORS: a record's status. */
		N_("draft"), N_("final"), N_("amended"), N_("ended"),
	};

	return _(interview_status(iv));
}

size_t
summary_flags(struct ui_pager *p, int x, const struct interview *iv, const struct form *f)
{
	size_t lang = interview_guide_lang(iv), shown = 0;
	char buf[1024];

	for (size_t i = 0; i < form_flag_count(f); i++) {
		if (!interview_flag_raised(iv, i))
			continue;
		snprintf(buf, sizeof buf, "!! %s", form_flag_label(f, i, lang));
		ui_pager_wrap(p, x, buf, A_BOLD | A_REVERSE);
		if (form_flag_advice(f, i, lang))
			ui_pager_wrap(p, x + 2, form_flag_advice(f, i, lang), A_BOLD);
		shown++;
	}
	return shown;
}

size_t
summary_flag_contacts(struct ui_pager *p, int x, const struct interview *iv, const struct form *f,
    bool all_countries)
{
	size_t lang = interview_guide_lang(iv), shown = 0;
	const char *cname = NULL, *cc = all_countries ? NULL : summary_country(iv, f, &cname);
	char buf[1024];

	for (size_t i = 0; i < form_flag_count(f); i++) {
		size_t hidden = 0;

		if (!interview_flag_raised(iv, i) || form_flag_referral_count(f, i) == 0)
			continue;
		snprintf(buf, sizeof buf, _("!! Contacts for: %s"),
		    form_flag_label(f, i, interview_guide_lang(iv)));
		ui_pager_wrap(p, x, buf, A_BOLD);
		for (size_t k = 0; k < form_flag_referral_count(f, i); k++) {
			size_t r = form_flag_referral(f, i, k);

			if (!summary_referral_serves(f, r, cc)) {
				hidden++;
				continue;
			}
			ui_pager_wrap(p, x + 2, form_referral_name(f, r, lang), 0);
			ui_pager_line(p, x + 4, form_referral_contact(f, r), 0);
		}
		if (hidden > 0) {
			snprintf(buf, sizeof buf, P_("(%zu more in another country: Space shows it.)",
			    "(%zu more in other countries: Space shows them.)", hidden), hidden);
			ui_pager_wrap(p, x + 2, buf, A_DIM);
		}
		shown++;
	}
	return shown;
}
