/* test_interview.c — the interview engine: the walk, answer validation,
 * indicators, outcomes and the record JSON. */
#include "testutil.h"
#include <jansson.h>
#include "interview.h"

/* 2026-03-01T09:30:00Z */
#define NOW "1772357400"
#define NOW_ISO "2026-03-01T09:30:00Z"

static struct form *form;

static int
setup(void **state)
{
	(void)state;
	setenv("INTAKE_TEST_NOW", NOW, 1);
	setenv("TZ", "UTC", 1);
	tzset();
	return form_load_file("tests/forms/valid/mini.yaml", &form, NULL) == ST_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	form_free(form);
	return 0;
}

static int
qidx(const char *id)
{
	int q = form_question_find(form, id);

	if (q < 0)
		fail_msg("no question %s", id);
	return q;
}

static const char *
current_id(const struct interview *iv)
{
	int q = interview_current(iv);

	return q < 0 ? "(end)" : form_question_id(form, (size_t)q);
}

/* The scripted walk: the current question must be `id`; answer it (NULL:
 * leave it) and move on. */
static void
step(struct interview *iv, const char *id, const char *answer)
{
	if (strcmp(current_id(iv), id) != 0)
		fail_msg("at %s, expected %s", current_id(iv), id);
	if (answer && interview_answer(iv, answer) != ST_OK)
		fail_msg("%s: answer \"%s\" refused: %s", id, answer, interview_error(iv));
	if (interview_next(iv) != ST_OK)
		fail_msg("%s: next refused: %s", id, interview_error(iv));
}

/* Answers by id; the answer must be refused with exactly `msg` (NULL: must
 * be accepted). */
static void
expect_answer(struct interview *iv, const char *id, const char *text, const char *msg)
{
	enum status st = interview_answer_id(iv, id, text);

	if (msg == NULL && st != ST_OK)
		fail_msg("%s = \"%s\" refused: %s", id, text, interview_error(iv));
	if (msg != NULL) {
		if (st != ST_INVALID)
			fail_msg("%s = \"%s\" accepted; wanted \"%s\"", id, text, msg);
		assert_string_equal(interview_error(iv), msg);
	}
}

static struct interview *
started(const char *lang)
{
	struct interview *iv;

	assert_int_equal(interview_start(form, lang, &iv), ST_OK);
	return iv;
}

static char *
to_json(const struct interview *iv, size_t *len)
{
	char *s;

	assert_int_equal(interview_to_json(iv, &s, len), ST_OK);
	return s;
}

static json_t *
as_json(const struct interview *iv)
{
	size_t len;
	char *s = to_json(iv, &len);
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	interview_json_free(s, len);
	return j;
}

static const char *
outcome_id(const struct interview *iv)
{
	int o = interview_outcome(iv);

	return o < 0 ? "(none)" : form_outcome_id(form, (size_t)o);
}

static void
relevance_skips_questions_and_sections(void **state)
{
	struct interview *iv = started(NULL);
	size_t answered, total;

	(void)state;
	assert_int_equal(interview_state(iv), IV_IN_PROGRESS);
	assert_string_equal(interview_status(iv), "draft");
	/* before consent, the about and work sections are not asked */
	interview_progress(iv, &answered, &total);
	assert_int_equal(answered, 0);
	assert_int_equal(total, 4);
	assert_false(interview_section_relevant(iv, 1));
	step(iv, "intro", NULL);
	step(iv, "gender", "female");
	step(iv, "consent_interview", "yes");
	assert_true(interview_section_relevant(iv, 1));
	interview_progress(iv, &answered, &total);
	assert_int_equal(answered, 2);
	assert_int_equal(total, 12);
	step(iv, "age", "30");
	/* guardian is asked only under 18 */
	step(iv, "arrival_date", NULL);
	step(iv, "initials", "NK");
	step(iv, "height", NULL);
	step(iv, "job", "farm");
	step(iv, "job_promised", "no");
	/* promised_what only after a promised job */
	step(iv, "docs_holder", "self");
	step(iv, "debt", "no");
	/* debt_amount only with a debt */
	step(iv, "consent_referral", "yes");
	step(iv, "consent_statistics", "no");
	assert_true(interview_at_end(iv));
	assert_int_equal(interview_current(iv), -1);
	assert_int_equal(interview_next(iv), ST_NOTFOUND);
	assert_false(interview_is_relevant(iv, (size_t)qidx("guardian")));
	assert_string_equal(outcome_id(iv), "none");
	assert_int_equal(interview_fired_count(iv), 0);
	assert_int_equal(interview_consent(iv, FORM_CONSENT_REFERRAL), IV_CONSENT_YES);
	assert_int_equal(interview_consent(iv, FORM_CONSENT_STATISTICS), IV_CONSENT_NO);

	/* back from the end, then forward again, skipping the same way */
	assert_int_equal(interview_prev(iv), ST_OK);
	assert_string_equal(current_id(iv), "consent_statistics");
	assert_int_equal(interview_goto(iv, (size_t)qidx("debt")), ST_OK);
	assert_int_equal(interview_prev(iv), ST_OK);
	assert_string_equal(current_id(iv), "docs_holder");
	assert_int_equal(interview_goto(iv, (size_t)qidx("debt_amount")), ST_NOTFOUND);
	/* jump to a section: its first relevant question */
	assert_int_equal(interview_goto_section(iv, 2), ST_OK);
	assert_string_equal(current_id(iv), "job");
	assert_int_equal(interview_goto_section(iv, 0), ST_OK);
	assert_string_equal(current_id(iv), "intro");
	assert_int_equal(interview_prev(iv), ST_NOTFOUND);
	interview_free(iv);
}

static void
going_back_keeps_answers_that_became_irrelevant(void **state)
{
	struct interview *iv = started("en");
	int guardian = qidx("guardian");

	(void)state;
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "age", "16", NULL);
	assert_true(interview_is_relevant(iv, (size_t)guardian));
	assert_true(interview_indicator_fired(iv, 3));       /* minor */
	expect_answer(iv, "guardian", "my aunt", NULL);
	/* the interviewer corrects the age: guardian is no longer asked... */
	expect_answer(iv, "age", "19", NULL);
	assert_false(interview_is_relevant(iv, (size_t)guardian));
	assert_false(interview_indicator_fired(iv, 3));
	/* ...but its answer is still there in case they go back */
	assert_int_equal(interview_answer_kind(iv, (size_t)guardian), IV_VALUE);
	expect_answer(iv, "age", "17", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)guardian), "my aunt");
	/* finishing drops it only if it is not relevant then */
	expect_answer(iv, "age", "40", NULL);
	expect_answer(iv, "job", "factory", NULL);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(interview_answer_kind(iv, (size_t)guardian), IV_NONE);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("age")), "40");
	interview_free(iv);
}

static void
language_switch_keeps_answers(void **state)
{
	struct interview *iv = started("th");
	struct iv_view v;

	(void)state;
	assert_int_equal(interview_goto(iv, (size_t)qidx("consent_interview")), ST_OK);
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.label, "คุณยินยอมตอบคำถามหรือไม่");
	assert_string_equal(v.section_title, "เริ่มต้น");
	assert_int_equal(v.type, FORM_YES_NO);
	assert_int_equal(v.nchoices, 2);
	assert_string_equal(form_choice_label(form, (size_t)v.list, 0, interview_lang(iv)), "ใช่");
	assert_int_equal(interview_answer(iv, "yes"), ST_OK);
	expect_answer(iv, "age", "22", NULL);
	/* an error message comes in the interview language */
	expect_answer(iv, "age", "x", "กรุณาใส่จำนวนเต็ม เช่น 25");
	assert_int_equal(interview_set_lang(iv, "zh"), ST_OK);
	expect_answer(iv, "age", "x", "请输入整数，例如 25。");
	assert_int_equal(interview_set_lang(iv, "fr"), ST_NOTFOUND);
	assert_string_equal(form_lang_code(form, interview_lang(iv)), "zh");
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.label, "您同意回答一些问题吗？");
	assert_int_equal(v.answer, IV_VALUE);
	assert_string_equal(v.value, "yes");
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("age")), "22");
	/* a missing draft translation shows the default language */
	assert_int_equal(interview_set_lang(iv, "lo"), ST_OK);
	expect_answer(iv, "age", "15", NULL);
	assert_int_equal(interview_goto(iv, (size_t)qidx("guardian")), ST_OK);
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.label, "Who takes care of you?");
	assert_string_equal(interview_msg(iv, IV_MSG_DECLINED), "ປະຕິເສດ");
	interview_free(iv);
	assert_int_equal(interview_start(form, "xx", &iv), ST_NOTFOUND);
	assert_null(iv);
}

/* The interviewer's language is not the respondent's: the engine's words and
 * the form's texts for the interviewer follow the first, the question and
 * its choices the second. */
static void
interviewer_language_apart_from_the_interview(void **state)
{
	struct interview *iv = started("zh");
	struct iv_view v;

	(void)state;
	assert_int_equal(form_lang_match(form, "lo"), (size_t)form_lang_find(form, "lo"));
	assert_int_equal(form_lang_match(form, "fr"), 0);
	assert_int_equal(form_lang_match(form, NULL), 0);
	assert_int_equal(interview_guide_lang(iv), interview_lang(iv));
	assert_int_equal(interview_set_msg_lang(iv, "lo"), ST_OK);
	assert_int_equal(interview_set_msg_lang(iv, "a-code-far-too-long"), ST_INVALID);
	assert_string_equal(form_lang_code(form, interview_guide_lang(iv)), "lo");
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "age", "x", "ກະລຸນາໃສ່ຕົວເລກຖ້ວນ, ເຊັ່ນ 25.");
	expect_answer(iv, "age", "5", "ອາຍຸຕ້ອງຢູ່ລະຫວ່າງ 10 ຫາ 100.");
	assert_string_equal(interview_msg(iv, IV_MSG_DECLINED), "ປະຕິເສດ");
	assert_int_equal(interview_goto(iv, (size_t)qidx("arrival_date")), ST_OK);
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.label, "您什么时候到达的？");
	assert_string_equal(v.hint, "ປປປປ-ດດ-ວວ");
	assert_string_equal(v.section_title, "ກ່ຽວກັບທ່ານ");
	/* a language the form lacks: its default */
	assert_int_equal(interview_set_msg_lang(iv, "fr"), ST_OK);
	assert_int_equal(interview_guide_lang(iv), 0);
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.hint, "YYYY-MM-DD");
	assert_string_equal(v.label, "您什么时候到达的？");
	/* none set: the interview language again */
	assert_int_equal(interview_set_msg_lang(iv, NULL), ST_OK);
	assert_true(interview_view(iv, &v));
	assert_string_equal(v.hint, "年-月-日");
	expect_answer(iv, "age", "x", "请输入整数，例如 25。");
	interview_free(iv);
}

static void
draft_round_trip_resumes_at_the_same_question(void **state)
{
	struct interview *iv = started("lo"), *back;
	char *s1, *s2, err[256];
	size_t l1, l2;
	json_t *j, *answers;

	(void)state;
	assert_int_equal(interview_set_interviewer(iv, "noy"), ST_OK);
	assert_int_equal(interview_set_record_id(iv, "00112233445566778899aabbccddeeff"), ST_OK);
	step(iv, "intro", NULL);
	step(iv, "gender", "other");
	step(iv, "consent_interview", "yes");
	step(iv, "age", "44");
	step(iv, "arrival_date", "2025-12-24");
	step(iv, "initials", "ນກ");
	step(iv, "height", "1.58");
	step(iv, "job", "fishing");
	step(iv, "job_promised", "yes");
	assert_string_equal(current_id(iv), "promised_what");
	assert_int_equal(interview_set(iv, (size_t)qidx("docs_holder"), "broker,self"), ST_OK);
	assert_int_equal(interview_set_special(iv, (size_t)qidx("debt"), IV_DONT_KNOW), ST_OK);

	s1 = to_json(iv, &l1);
	assert_int_equal(interview_from_json(form, s1, l1, &back, err, sizeof err), ST_OK);
	assert_string_equal(err, "");
	assert_string_equal(current_id(back), "promised_what");
	assert_string_equal(form_lang_code(form, interview_lang(back)), "lo");
	assert_string_equal(interview_interviewer(back), "noy");
	assert_string_equal(interview_answer_text(back, (size_t)qidx("docs_holder")), "self broker");
	assert_int_equal(interview_answer_kind(back, (size_t)qidx("debt")), IV_DONT_KNOW);
	assert_int_equal(interview_state(back), IV_IN_PROGRESS);
	/* deceived and documents with a broker: two strong indicators */
	assert_string_equal(outcome_id(back), "urgent");
	s2 = to_json(back, &l2);
	assert_string_equal(s1, s2);

	/* what the record holds, field by field */
	j = json_loads(s1, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "00112233445566778899aabbccddeeff");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "form"), "version")), "1.2");
	assert_string_equal(json_string_value(json_object_get(j, "started")), NOW_ISO);
	assert_true(json_is_null(json_object_get(j, "ended")));
	assert_string_equal(json_string_value(json_object_get(j, "status")), "draft");
	assert_string_equal(json_string_value(json_object_get(j, "position")), "promised_what");
	answers = json_object_get(j, "answers");
	assert_int_equal(json_integer_value(json_object_get(answers, "age")), 44);
	assert_true(json_real_value(json_object_get(answers, "height")) == 1.58);
	assert_string_equal(json_string_value(json_object_get(answers, "initials")), "ນກ");
	assert_int_equal(json_array_size(json_object_get(answers, "docs_holder")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(answers, "docs_holder"), 0)), "self");
	assert_string_equal(json_string_value(json_object_get(json_object_get(answers, "debt"), "special")), "dont_know");
	assert_null(json_object_get(answers, "intro"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "consent"), "interview")), "yes");
	assert_true(json_is_null(json_object_get(json_object_get(j, "consent"), "referral")));
	assert_false(json_is_true(json_object_get(j, "training")));
	json_decref(j);

	/* resuming, the interviewer carries on from there */
	step(back, "promised_what", "restaurant work");
	assert_int_equal(interview_finish(back), ST_OK);
	interview_json_free(s1, l1);
	interview_json_free(s2, l2);
	interview_free(iv);
	interview_free(back);
}

static void
refused_consent_keeps_only_what_may_be_kept(void **state)
{
	struct interview *iv = started(NULL);
	json_t *j, *answers;

	(void)state;
	expect_answer(iv, "gender", "male", NULL);
	expect_answer(iv, "consent_referral", "yes", NULL);
	assert_int_equal(interview_goto(iv, (size_t)qidx("consent_interview")), ST_OK);
	assert_int_equal(interview_answer(iv, "no"), ST_OK);
	assert_int_equal(interview_state(iv), IV_ENDED);
	assert_string_equal(interview_status(iv), "ended");
	assert_string_equal(interview_end_reason(iv), "consent_refused");
	assert_true(interview_at_end(iv));
	assert_int_equal(interview_consent(iv, FORM_CONSENT_INTERVIEW), IV_CONSENT_NO);
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("consent_referral")), IV_NONE);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("gender")), "male");
	assert_int_equal(interview_outcome(iv), -1);
	/* nothing can be added afterwards */
	expect_answer(iv, "age", "30", "This interview is closed; its answers can no longer change.");
	assert_int_equal(interview_finish(iv), ST_INVALID);
	j = as_json(iv);
	answers = json_object_get(j, "answers");
	assert_int_equal(json_object_size(answers), 2);
	assert_string_equal(json_string_value(json_object_get(answers, "consent_interview")), "no");
	assert_string_equal(json_string_value(json_object_get(j, "ended_reason")), "consent_refused");
	assert_string_equal(json_string_value(json_object_get(j, "ended")), NOW_ISO);
	assert_true(json_is_null(json_object_get(j, "outcome")));
	assert_int_equal(json_array_size(json_object_get(j, "indicators")), 0);
	json_decref(j);
	interview_free(iv);

	/* declining the consent question is a refusal too */
	iv = started(NULL);
	expect_answer(iv, "age", "30", NULL);
	assert_int_equal(interview_set_special(iv, (size_t)qidx("consent_interview"), IV_DECLINED), ST_OK);
	assert_int_equal(interview_state(iv), IV_ENDED);
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("age")), IV_NONE);
	interview_free(iv);
}

static void
respondent_stops(void **state)
{
	struct interview *iv = started(NULL);

	(void)state;
	/* before consent: only keep_without_consent answers survive */
	expect_answer(iv, "gender", "female", NULL);
	expect_answer(iv, "consent_referral", "no", NULL);
	assert_int_equal(interview_stop(iv, "Bad Reason"), ST_INVALID);
	assert_int_equal(interview_stop(iv, "respondent_left"), ST_OK);
	assert_int_equal(interview_state(iv), IV_ENDED);
	assert_string_equal(interview_end_reason(iv), "respondent_left");
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("consent_referral")), IV_NONE);
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("gender")), IV_VALUE);
	assert_int_equal(interview_stop(iv, "again"), ST_INVALID);
	interview_free(iv);

	/* after consent: everything is kept, findings included */
	iv = started(NULL);
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "job_promised", "yes", NULL);
	expect_answer(iv, "consent_referral", "no", NULL);
	assert_int_equal(interview_stop(iv, "respondent_left"), ST_OK);
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("consent_referral")), IV_VALUE);
	assert_true(interview_indicator_fired(iv, 0));
	assert_string_equal(outcome_id(iv), "possible");
	interview_free(iv);
}

static void
declined_and_dont_know(void **state)
{
	struct interview *iv = started(NULL);
	json_t *j;

	(void)state;
	step(iv, "intro", NULL);
	step(iv, "gender", NULL);
	/* required: refuses to move on without an answer */
	assert_int_equal(interview_next(iv), ST_INVALID);
	assert_string_equal(interview_error(iv),
	    "An answer is needed. If the respondent will not or cannot answer, mark it declined or don't know.");
	assert_string_equal(current_id(iv), "consent_interview");
	step(iv, "consent_interview", "yes");
	assert_int_equal(interview_next(iv), ST_INVALID);
	assert_int_equal(interview_answer_special(iv, IV_DECLINED), ST_OK);
	assert_int_equal(interview_next(iv), ST_OK);
	assert_string_equal(current_id(iv), "arrival_date");
	/* a note takes no answer, special or not */
	assert_int_equal(interview_set_special(iv, 0, IV_DONT_KNOW), ST_INVALID);
	assert_string_equal(interview_error(iv), "This is a note; it takes no answer.");
	/* declined reads as '' in expressions: age < 18 is false */
	assert_false(interview_is_relevant(iv, (size_t)qidx("guardian")));
	expect_answer(iv, "debt", "yes", NULL);
	assert_false(interview_indicator_fired(iv, 2));
	assert_int_equal(interview_set_special(iv, (size_t)qidx("debt_amount"), IV_DONT_KNOW), ST_OK);
	assert_true(interview_indicator_fired(iv, 2));        /* dont-know(${debt_amount}) */
	j = as_json(iv);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(j, "answers"), "age"), "special")),
	    "declined");
	json_decref(j);
	assert_int_equal(interview_set_special(iv, 1, IV_VALUE), ST_INVALID);
	interview_free(iv);
}

static void
answer_validation(void **state)
{
	struct interview *iv = started(NULL);
	char big[64];

	(void)state;
	expect_answer(iv, "consent_interview", "YES", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("consent_interview")), "yes");
	expect_answer(iv, "consent_referral", "maybe", "Answer yes or no.");

	expect_answer(iv, "age", "abc", "Enter a whole number, like 25.");
	expect_answer(iv, "age", "2.5", "Enter a whole number, like 25.");
	expect_answer(iv, "age", "1 2", "Enter a whole number, like 25.");
	expect_answer(iv, "age", "5", "Age must be between 10 and 100.");
	expect_answer(iv, "age", " +030 ", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("age")), "30");
	/* a refused answer leaves the previous one */
	expect_answer(iv, "age", "200", "Age must be between 10 and 100.");
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("age")), "30");
	memset(big, '9', 16);
	big[16] = '\0';
	expect_answer(iv, "age", big, "That number is too long (at most 15 digits).");

	expect_answer(iv, "arrival_date", "2026-02-30", "Enter a real date as YYYY-MM-DD, like 2024-03-15.");
	expect_answer(iv, "arrival_date", "2025-2-3", "Enter a real date as YYYY-MM-DD, like 2024-03-15.");
	expect_answer(iv, "arrival_date", "2023-02-29", "Enter a real date as YYYY-MM-DD, like 2024-03-15.");
	expect_answer(iv, "arrival_date", "2024-02-29", NULL);
	/* constraint . <= today(), today being 2026-03-01; default message */
	expect_answer(iv, "arrival_date", "2026-03-02", "This answer is not accepted here. Check it with the respondent.");
	expect_answer(iv, "arrival_date", "2026-03-01", NULL);

	expect_answer(iv, "initials", "ABCDEF", "Too long: 6 characters. The limit is 5.");
	/* characters, not bytes: five Lao letters are 15 bytes */
	expect_answer(iv, "initials", "ລາວລາ", NULL);
	expect_answer(iv, "initials", "ລາວລາວ", "Too long: 6 characters. The limit is 5.");
	/* NFC: e + combining acute is stored as one character */
	expect_answer(iv, "initials", "Re\xcc\x81", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("initials")), "R\xc3\xa9");
	expect_answer(iv, "initials", "A\x1b[2J", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\xff", "The text contains a control character or invalid bytes. Retype it.");
	/* C1, bidirectional overrides and isolates, line and paragraph
	 * separators: they reorder or break what a screen shows. */
	expect_answer(iv, "initials", "A\xc2\x9b" "2J", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\xe2\x80\xae" "B", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\xe2\x81\xa6" "B", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\xe2\x80\xa8" "B", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\xe2\x80\xa9" "B", "The text contains a control character or invalid bytes. Retype it.");
	expect_answer(iv, "initials", "A\x7f", "The text contains a control character or invalid bytes. Retype it.");

	expect_answer(iv, "job", "office", "'office' is not one of the choices.");
	expect_answer(iv, "job", "farm factory", "Choose only one answer.");
	expect_answer(iv, "job", "farm", NULL);
	expect_answer(iv, "docs_holder", "self, broker self", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("docs_holder")), "self broker");
	assert_true(interview_is_selected(iv, (size_t)qidx("docs_holder"), "broker"));
	assert_false(interview_is_selected(iv, (size_t)qidx("docs_holder"), "employer"));
	expect_answer(iv, "docs_holder", "self boss", "'boss' is not one of the choices.");

	expect_answer(iv, "height", "1,6", "Enter a number, like 2.5.");
	expect_answer(iv, "height", "1.6.1", "Enter a number, like 2.5.");
	expect_answer(iv, "height", ".5", NULL);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("height")), "0.5");
	expect_answer(iv, "debt", "yes", NULL);
	expect_answer(iv, "debt_amount", "-3", "This answer is not accepted here. Check it with the respondent.");
	expect_answer(iv, "debt_amount", "1500.75", NULL);
	assert_true(interview_indicator_fired(iv, 2));

	/* empty text clears */
	expect_answer(iv, "height", "   ", NULL);
	assert_int_equal(interview_answer_kind(iv, (size_t)qidx("height")), IV_NONE);
	expect_answer(iv, "intro", "hello", "This is a note; it takes no answer.");
	assert_int_equal(interview_answer_id(iv, "nope", "1"), ST_NOTFOUND);
	interview_free(iv);
}

static void
outcomes_follow_indicators(void **state)
{
	struct interview *iv = started(NULL);
	size_t qs[4];
	json_t *j, *inds, *one;

	(void)state;
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "age", "30", NULL);
	assert_string_equal(outcome_id(iv), "none");
	assert_int_equal(form_outcome_referral_count(form, 2), 1);
	expect_answer(iv, "docs_holder", "employer", NULL);
	assert_string_equal(outcome_id(iv), "possible");
	assert_int_equal(interview_indicator_answers(iv, 1, qs, 4), 1);
	assert_int_equal(qs[0], qidx("docs_holder"));
	expect_answer(iv, "job_promised", "yes", NULL);
	assert_string_equal(outcome_id(iv), "urgent");
	assert_int_equal(interview_fired_count(iv), 2);
	/* a minor who was deceived is urgent on the second rule */
	expect_answer(iv, "docs_holder", "self", NULL);
	assert_string_equal(outcome_id(iv), "possible");
	expect_answer(iv, "age", "16", NULL);
	assert_string_equal(outcome_id(iv), "urgent");
	expect_answer(iv, "job", "domestic", NULL);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_string_equal(interview_status(iv), "final");

	j = as_json(iv);
	inds = json_object_get(j, "indicators");
	assert_int_equal(json_array_size(inds), 2);
	one = json_array_get(inds, 0);
	assert_string_equal(json_string_value(json_object_get(one, "id")), "deception");
	assert_string_equal(json_string_value(json_object_get(one, "level")), "strong");
	assert_string_equal(json_string_value(json_array_get(json_object_get(one, "answers"), 0)), "job_promised");
	one = json_array_get(inds, 1);
	assert_string_equal(json_string_value(json_object_get(one, "id")), "minor");
	assert_string_equal(json_string_value(json_array_get(json_object_get(one, "answers"), 0)), "age");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "outcome"), "id")), "urgent");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(j, "outcome"), "referrals"), 0)),
	    "police_hotline");
	assert_string_equal(json_string_value(json_object_get(j, "ended")), NOW_ISO);
	assert_true(json_is_null(json_object_get(j, "position")));
	json_decref(j);
	interview_free(iv);
}

static void
finish_checks_required_and_consent(void **state)
{
	struct interview *iv = started(NULL);
	char *s, err[256];
	size_t len;
	struct interview *back;

	(void)state;
	/* no consent yet */
	assert_int_equal(interview_finish(iv), ST_INVALID);
	assert_string_equal(interview_error(iv), "The respondent has not agreed to the interview.");
	assert_string_equal(current_id(iv), "consent_interview");
	expect_answer(iv, "consent_interview", "yes", NULL);
	/* age and job are required */
	assert_int_equal(interview_finish(iv), ST_INVALID);
	assert_string_equal(current_id(iv), "age");
	expect_answer(iv, "age", "33", NULL);
	assert_int_equal(interview_finish(iv), ST_INVALID);
	assert_string_equal(current_id(iv), "job");
	assert_int_equal(interview_answer_special(iv, IV_DONT_KNOW), ST_OK);
	assert_int_equal(interview_finish(iv), ST_OK);
	assert_int_equal(interview_state(iv), IV_FINISHED);
	assert_int_equal(interview_ended(iv), 1772357400);
	expect_answer(iv, "age", "34", "This interview is closed; its answers can no longer change.");
	/* review stays possible */
	assert_int_equal(interview_goto(iv, (size_t)qidx("age")), ST_OK);
	/* a final record round-trips; amending reopens it */
	s = to_json(iv, &len);
	assert_int_equal(interview_from_json(form, s, len, &back, err, sizeof err), ST_OK);
	assert_int_equal(interview_state(back), IV_FINISHED);
	assert_string_equal(current_id(back), "age");
	interview_json_free(s, len);
	assert_int_equal(interview_reopen(back), ST_OK);
	assert_int_equal(interview_reopen(back), ST_INVALID);
	expect_answer(back, "age", "35", NULL);
	s = to_json(back, &len);
	interview_free(back);
	assert_int_equal(interview_from_json(form, s, len, &back, err, sizeof err), ST_OK);
	interview_json_free(s, len);
	assert_int_equal(interview_finish(back), ST_OK);
	assert_string_equal(interview_status(back), "amended");
	interview_free(back);
	interview_free(iv);
}

static void
batch_answers_use_the_same_checks(void **state)
{
	struct interview *iv;
	char err[256];
	json_t *a;

	(void)state;
	iv = started(NULL);
	a = json_loads("{\"consent_interview\": true, \"age\": 17, \"guardian\": \"uncle\","
	    " \"docs_holder\": [\"employer\", \"self\"], \"debt\": \"yes\","
	    " \"debt_amount\": {\"special\": \"dont_know\"}, \"height\": 1.5, \"job\": \"farm\"}", 0, NULL);
	assert_int_equal(interview_apply_answers(iv, a, err, sizeof err), ST_OK);
	json_decref(a);
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("docs_holder")), "self employer");
	assert_string_equal(interview_answer_text(iv, (size_t)qidx("height")), "1.5");
	assert_string_equal(current_id(iv), "gender");  /* first one still open */
	assert_string_equal(outcome_id(iv), "possible");
	assert_int_equal(interview_finish(iv), ST_OK);
	interview_free(iv);

	static const struct {
		const char *json, *err;
	} bad[] = {
		{"{\"age\": 30, \"nope\": 1}", "nope: no such question in form mini"},
		{"{\"consent_interview\": \"yes\", \"age\": \"thirty\"}", "age: Enter a whole number, like 25."},
		{"{\"consent_interview\": \"yes\", \"age\": 30.5}", "age: Enter a whole number, like 25."},
		{"{\"consent_interview\": \"yes\", \"age\": 3}", "age: Age must be between 10 and 100."},
		{"{\"consent_interview\": \"yes\", \"arrival_date\": \"2026-02-30\"}",
		    "arrival_date: Enter a real date as YYYY-MM-DD, like 2024-03-15."},
		{"{\"consent_interview\": \"yes\", \"initials\": \"ABCDEFG\"}", "initials: Too long: 7 characters. The limit is 5."},
		{"{\"consent_interview\": \"yes\", \"job\": \"mining\"}", "job: 'mining' is not one of the choices."},
		{"{\"consent_interview\": \"yes\", \"job\": [\"farm\"]}", "job: a list of values is only for select_multiple questions"},
		{"{\"consent_interview\": \"yes\", \"docs_holder\": [\"self\", 3]}",
		    "docs_holder: a select_multiple answer must be a list of choice values (strings)"},
		{"{\"consent_interview\": \"yes\", \"age\": {\"special\": \"maybe\"}}",
		    "age: an object answer must be {\"special\": \"declined\"} or {\"special\": \"dont_know\"}"},
		{"{\"consent_interview\": \"yes\", \"age\": 30, \"guardian\": \"aunt\"}",
		    "guardian: this question is not asked with these answers"},
		{"{\"consent_interview\": \"no\", \"age\": 30}", "age: the interview already ended (consent_refused)"},
		{"[1]", "answers must be a JSON object"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		iv = started(NULL);
		a = json_loads(bad[i].json, 0, NULL);
		assert_non_null(a);
		assert_int_equal(interview_apply_answers(iv, a, err, sizeof err), ST_INVALID);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("%s: got \"%s\"", bad[i].json, err);
		json_decref(a);
		interview_free(iv);
	}
}

static void
record_json_is_never_trusted(void **state)
{
	struct interview *iv = started(NULL), *back = NULL;
	char *s, err[256];
	size_t len;
	json_t *j;

	(void)state;
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "age", "30", NULL);
	s = to_json(iv, &len);
	j = json_loads(s, 0, NULL);
	interview_json_free(s, len);
	interview_free(iv);

	static const struct {
		const char *path, *value, *err;
	} bad[] = {
		{"form.id", "\"other\"", "record: taken with form other version 1.2, not mini version 1.2"},
		{"answers.nope", "1", "record: answers.nope: no such question in form mini"},
		{"answers.age", "\"abc\"", "record: answers.age: Enter a whole number, like 25."},
		{"answers.job", "\"office\"", "record: answers.job: 'office' is not one of the choices."},
		{"answers.intro", "\"hi\"", "record: answers.intro: This is a note; it takes no answer."},
		{"answers.arrival_date", "\"2026-02-30\"", "record: answers.arrival_date: Enter a real date"},
		{"answers.docs_holder", "\"self\"", NULL},
		{"status", "\"done\"", "record: unknown status 'done'"},
		{"status", "\"final\"", "record: a final record needs an ended time"},
		{"lang", "\"fr\"", "record: lang is not a language of form mini"},
		{"started", "\"yesterday\"", "record: started must be a UTC time"},
		{"started", "\"0658-03-01T09:30:00Z\"", "record: started must be a UTC time"},
		{"started", "\"2026-02-30T09:30:00Z\"", "record: started must be a UTC time"},
		{"started", "\"2026-03-01T09:30:60Z\"", "record: started must be a UTC time"},
		{"extra", "1", "record: unknown field 'extra'"},
		{"position", "\"nowhere\"", "record: position names no question of form mini"},
		{"id", "\"XYZ\"", "record: id must be lowercase hex digits"},
		{"consent.interview", "\"no\"", "record: consent.interview does not match the consent answers"},
		{"answers.consent_interview", "\"no\"", "record: a draft cannot hold a refused interview consent"},
		{"outcome", "{\"id\": \"bogus\"}", "record: outcome names no outcome of form mini"},
		{"training", "\"yes\"", "record: training must be true or false"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *copy = json_deep_copy(j), *parent = copy;
		char path[64], *dot;
		char *text;

		snprintf(path, sizeof path, "%s", bad[i].path);
		dot = strchr(path, '.');
		if (dot) {
			*dot = '\0';
			parent = json_object_get(copy, path);
		}
		json_object_set_new(parent, dot ? dot + 1 : path, json_loads(bad[i].value, JSON_DECODE_ANY, NULL));
		text = json_dumps(copy, 0);
		if (interview_from_json(form, text, strlen(text), &back, err, sizeof err) == ST_OK) {
			/* a string for a select_multiple is what a user would type: accepted */
			if (bad[i].err != NULL)
				fail_msg("%s = %s accepted", bad[i].path, bad[i].value);
			interview_free(back);
		} else if (bad[i].err == NULL || strncmp(err, bad[i].err, strlen(bad[i].err)) != 0) {
			fail_msg("%s = %s: got \"%s\"", bad[i].path, bad[i].value, err);
		}
		assert_true(bad[i].err == NULL || back == NULL);
		back = NULL;
		free(text);
		json_decref(copy);
	}
	assert_int_equal(interview_from_json(form, "{\"id\": ", 7, &back, err, sizeof err), ST_INVALID);
	assert_true(strncmp(err, "record: not valid JSON", 22) == 0);
	assert_int_equal(interview_from_json(form, "[]", 2, &back, err, sizeof err), ST_INVALID);
	/* a record of another text of the same form id and version */
	assert_int_equal(form_set_hash(form, "aa"), ST_OK);
	json_object_set_new(json_object_get(j, "form"), "hash", json_string("bb"));
	s = json_dumps(j, 0);
	assert_int_equal(interview_from_json(form, s, strlen(s), &back, err, sizeof err), ST_INVALID);
	assert_string_equal(err, "record: taken with a different text of form mini 1.2 (hash differs)");
	free(s);
	form_set_hash(form, "00");
	json_decref(j);
}

static void
summary_has_no_answers(void **state)
{
	struct interview *iv = started("zh");
	char *s;
	size_t len;
	json_t *j;

	(void)state;
	interview_set_training(iv, true);
	assert_int_equal(interview_set_interviewer(iv, "trainer1"), ST_OK);
	assert_int_equal(interview_set_interviewer(iv, "bad\nname"), ST_INVALID);
	expect_answer(iv, "consent_interview", "yes", NULL);
	expect_answer(iv, "guardian", "secret person", NULL);
	assert_int_equal(interview_summary_json(iv, &s, &len), ST_OK);
	assert_null(strstr(s, "secret"));
	j = json_loads(s, 0, NULL);
	assert_int_equal(json_object_size(j), 7);
	assert_string_equal(json_string_value(json_object_get(j, "form")), "mini");
	assert_string_equal(json_string_value(json_object_get(j, "lang")), "zh");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "draft");
	assert_string_equal(json_string_value(json_object_get(j, "outcome")), "none");
	assert_string_equal(json_string_value(json_object_get(j, "started")), NOW_ISO);
	assert_string_equal(json_string_value(json_object_get(j, "interviewer")), "trainer1");
	assert_true(json_is_true(json_object_get(j, "training")));
	json_decref(j);
	interview_json_free(s, len);
	interview_free(iv);
}

static void
messages_exist_in_every_language(void **state)
{
	struct interview *iv = started(NULL);
	const char *langs[] = {"en", "lo", "th", "zh"};
	const char *en[IV_MSG__COUNT];

	(void)state;
	for (size_t l = 0; l < 4; l++) {
		assert_int_equal(interview_set_lang(iv, langs[l]), ST_OK);
		for (int m = 0; m < IV_MSG__COUNT; m++) {
			const char *t = interview_msg(iv, (enum iv_msg)m);

			assert_true(strlen(t) > 0);
			if (l == 0)
				en[m] = t;
			else if (strcmp(t, en[m]) == 0)
				fail_msg("message %d is not translated to %s", m, langs[l]);
		}
	}
	interview_free(iv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(relevance_skips_questions_and_sections),
		cmocka_unit_test(going_back_keeps_answers_that_became_irrelevant),
		cmocka_unit_test(language_switch_keeps_answers),
		cmocka_unit_test(interviewer_language_apart_from_the_interview),
		cmocka_unit_test(draft_round_trip_resumes_at_the_same_question),
		cmocka_unit_test(refused_consent_keeps_only_what_may_be_kept),
		cmocka_unit_test(respondent_stops),
		cmocka_unit_test(declined_and_dont_know),
		cmocka_unit_test(answer_validation),
		cmocka_unit_test(outcomes_follow_indicators),
		cmocka_unit_test(finish_checks_required_and_consent),
		cmocka_unit_test(batch_answers_use_the_same_checks),
		cmocka_unit_test(record_json_is_never_trusted),
		cmocka_unit_test(summary_has_no_answers),
		cmocka_unit_test(messages_exist_in_every_language),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
