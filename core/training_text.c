/*
 * training_text.c — the words of the role-player's card and the debrief
 * (headings, units, marks) in the four languages of the screens, chosen by
 * the reader's interface language (core/training.h), and the line builder
 * both are rendered with.
 *
 * English is reviewed; Lao, Thai and Chinese are DRAFT translations waiting
 * for review by a native speaker who knows the field. Keep every row's
 * meaning the same in all four languages.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "training_int.h"

enum { L_EN, L_LO, L_TH, L_ZH, L__COUNT };

static const char *const texts[T__COUNT][L__COUNT] = {
	[T_FICTIONAL] = {
		"FICTIONAL CASE, for training only. Any likeness to a real person is chance.",
		"ກໍລະນີສົມມຸດ ສຳລັບການຝຶກອົບຮົມເທົ່ານັ້ນ. ຖ້າຄ້າຍຄືກັບບຸກຄົນຈິງ ແມ່ນເປັນການບັງເອີນ.",
		"กรณีสมมติ ใช้สำหรับการฝึกอบรมเท่านั้น หากคล้ายกับบุคคลจริงถือเป็นเรื่องบังเอิญ",
		"虚构案例，仅供培训使用。如与真人相似，纯属巧合。" },
	[T_SCENARIO] = { "Scenario", "ສະຖານະການຈຳລອງ", "สถานการณ์จำลอง", "情景" },
	[T_FORM] = { "Form", "ແບບຟອມ", "แบบฟอร์ม", "问卷" },
	[T_SUGGESTED] = { "Suggested time", "ເວລາທີ່ແນະນຳ", "เวลาที่แนะนำ", "建议时长" },
	[T_MIN] = { "min", "ນາທີ", "นาที", "分钟" },
	[T_SEC] = { "s", "ວິນາທີ", "วินาที", "秒" },
	[T_WHO] = { "Who you are", "ທ່ານແມ່ນໃຜ", "คุณคือใคร", "你的身份" },
	[T_STORY] = { "Your story", "ເລື່ອງລາວຂອງທ່ານ", "เรื่องราวของคุณ", "你的经历" },
	[T_BEHAVIOUR] = { "How to play the part", "ວິທີສະແດງບົດບາດ", "วิธีเล่นบทบาท", "如何扮演" },
	[T_ASKED_WELL] = {
		"Say only if asked well (gently, in private, in your language)",
		"ເວົ້າສະເພາະເມື່ອຖືກຖາມຢ່າງເໝາະສົມ (ຢ່າງອ່ອນໂຍນ, ເປັນສ່ວນຕົວ, ເປັນພາສາຂອງທ່ານ)",
		"พูดเฉพาะเมื่อถูกถามอย่างเหมาะสม (อย่างนุ่มนวล เป็นส่วนตัว ในภาษาของคุณ)",
		"只有在被恰当询问时才说（语气温和、私下、用你的语言）" },
	[T_FACTS] = {
		"Answers to keep consistent (trainer and role-player only: never show the trainee)",
		"ຄຳຕອບທີ່ຕ້ອງໃຫ້ສອດຄ່ອງກັນ (ສຳລັບຄູຝຶກ ແລະ ຜູ້ສະແດງບົດບາດເທົ່ານັ້ນ: ຢ່າໃຫ້ຜູ້ເຂົ້າຝຶກເຫັນ)",
		"คำตอบที่ต้องให้สอดคล้องกัน (สำหรับผู้ฝึกและผู้แสดงบทบาทเท่านั้น ห้ามให้ผู้เข้าอบรมเห็น)",
		"需保持一致的回答（仅供培训师和扮演者使用，切勿给学员看）" },
	[T_DEBRIEF] = { "Debrief", "ການທົບທວນຫຼັງການຝຶກ", "การทบทวนหลังการฝึก", "复盘" },
	[T_TRAINEE] = { "Trainee", "ຜູ້ເຂົ້າຝຶກ", "ผู้เข้าอบรม", "学员" },
	[T_DATE] = { "Date", "ວັນທີ", "วันที่", "日期" },
	[T_TIME] = { "Time taken", "ເວລາທີ່ໃຊ້", "เวลาที่ใช้", "用时" },
	[T_SCORE] = { "Score", "ຄະແນນ", "คะแนน", "得分" },
	[T_OUTCOME] = { "Outcome", "ຜົນການຄັດກອງ", "ผลการคัดกรอง", "筛查结果" },
	[T_REACHED] = { "reached", "ທີ່ໄດ້", "ที่ได้", "实际" },
	[T_EXPECTED] = { "expected", "ທີ່ຄາດໄວ້", "ที่คาดไว้", "预期" },
	[T_OUTCOME_RIGHT] = {
		"+ The expected outcome was reached.",
		"+ ໄດ້ຜົນຕາມທີ່ຄາດໄວ້.",
		"+ ได้ผลตามที่คาดไว้",
		"+ 得出了预期的结果。" },
	[T_OUTCOME_WRONG] = {
		"- Not the expected outcome.",
		"- ບໍ່ແມ່ນຜົນທີ່ຄາດໄວ້.",
		"- ไม่ใช่ผลที่คาดไว้",
		"- 不是预期的结果。" },
	[T_NO_OUTCOME] = {
		"none: the interview ended early",
		"ບໍ່ມີ: ການສຳພາດຈົບກ່ອນກຳນົດ",
		"ไม่มี: การสัมภาษณ์จบก่อนกำหนด",
		"无：访谈提前结束" },
	[T_CAUGHT] = { "Indicators caught", "ຕົວຊີ້ວັດທີ່ພົບ", "ตัวบ่งชี้ที่พบ", "发现的指标" },
	[T_MISSED] = { "Indicators missed", "ຕົວຊີ້ວັດທີ່ພາດ", "ตัวบ่งชี้ที่พลาด", "遗漏的指标" },
	[T_EXTRA] = {
		"Indicators fired that the scenario does not support",
		"ຕົວຊີ້ວັດທີ່ເກີດຂຶ້ນ ແຕ່ສະຖານະການບໍ່ສະໜັບສະໜູນ",
		"ตัวบ่งชี้ที่ขึ้นแต่สถานการณ์ไม่สนับสนุน",
		"触发了但情景不支持的指标" },
	[T_FLAGS] = {
		"Flags beside the outcome",
		"ເຄື່ອງໝາຍຂ້າງຜົນການຄັດກອງ",
		"สัญญาณเตือนข้างผลการคัดกรอง",
		"结果旁的警示" },
	[T_FLAG_MISSED] = {
		"not raised: the scenario's facts raise it",
		"ບໍ່ໄດ້ຂຶ້ນ: ຂໍ້ເທັດຈິງຂອງສະຖານະການເຮັດໃຫ້ມັນຂຶ້ນ",
		"ไม่ขึ้น: ข้อเท็จจริงของสถานการณ์ทำให้ขึ้น",
		"未触发：情景的事实会触发它" },
	[T_FLAG_EXTRA] = {
		"raised, though the scenario's facts do not raise it",
		"ຂຶ້ນ, ແຕ່ຂໍ້ເທັດຈິງຂອງສະຖານະການບໍ່ເຮັດໃຫ້ມັນຂຶ້ນ",
		"ขึ้น แม้ข้อเท็จจริงของสถานการณ์ไม่ทำให้ขึ้น",
		"已触发，但情景的事实不会触发它" },
	[T_NONE] = { "none", "ບໍ່ມີ", "ไม่มี", "无" },
	[T_DIFFER] = {
		"Answers that differ from the scenario",
		"ຄຳຕອບທີ່ແຕກຕ່າງຈາກສະຖານະການ",
		"คำตอบที่ต่างจากสถานการณ์",
		"与情景不符的回答" },
	[T_RECORDED] = { "recorded", "ບັນທຶກ", "บันทึก", "记录" },
	[T_SCENARIO_SAYS] = { "scenario", "ສະຖານະການ", "สถานการณ์", "情景" },
	[T_SKIPPED_HEAD] = {
		"Questions skipped, declined or don't know",
		"ຄຳຖາມທີ່ຂ້າມ, ປະຕິເສດຕອບ ຫຼື ບໍ່ຮູ້",
		"คำถามที่ข้าม ปฏิเสธที่จะตอบ หรือไม่ทราบ",
		"跳过、拒答或不知道的问题" },
	[T_SKIPPED] = { "not asked or skipped", "ບໍ່ໄດ້ຖາມ ຫຼື ຂ້າມ", "ไม่ได้ถามหรือข้าม", "未问或跳过" },
	[T_DECLINED] = { "declined", "ປະຕິເສດຕອບ", "ปฏิเสธที่จะตอบ", "拒绝回答" },
	[T_DONT_KNOW] = { "don't know", "ບໍ່ຮູ້", "ไม่ทราบ", "不知道" },
	[T_POINTS] = { "Learning points", "ບົດຮຽນ", "ประเด็นการเรียนรู้", "学习要点" },
	[T_NEEDED] = { "needed", "ຕ້ອງບັນທຶກ", "ต้องบันทึก", "需要记录" },
	[T_PART_INDICATORS] = { "indicators", "ຕົວຊີ້ວັດ", "ตัวบ่งชี้", "指标" },
	[T_PART_OUTCOME] = { "outcome", "ຜົນ", "ผล", "结果" },
	[T_PART_ANSWERS] = { "answers", "ຄຳຕອບ", "คำตอบ", "回答" },
	[T_NONE_EXPECTED] = {
		"+ No indicator expected, and none fired.",
		"+ ບໍ່ຄາດວ່າຈະມີຕົວຊີ້ວັດ ແລະ ບໍ່ມີຕົວຊີ້ວັດໃດເກີດຂຶ້ນ.",
		"+ ไม่คาดว่าจะมีตัวบ่งชี้ และไม่มีตัวบ่งชี้ใดขึ้น",
		"+ 预期无指标，也未触发任何指标。" },
	[T_ALL_MATCH] = {
		"+ Every answer matches the scenario.",
		"+ ທຸກຄຳຕອບກົງກັບສະຖານະການ.",
		"+ ทุกคำตอบตรงกับสถานการณ์",
		"+ 所有回答都与情景相符。" },
	[T_UNKNOWN_SCENARIO] = {
		"(scenario not installed, or changed since: ids are shown instead of labels)",
		"(ບໍ່ມີສະຖານະການນີ້ ຫຼື ມີການປ່ຽນແປງແລ້ວ: ສະແດງລະຫັດແທນຊື່)",
		"(ไม่พบสถานการณ์นี้หรือมีการเปลี่ยนแปลงแล้ว: แสดงรหัสแทนชื่อ)",
		"（情景未安装或已更改：显示编号而非名称）" },
	[T_NO_SKIPPED] = {
		"+ No expected question was skipped.",
		"+ ບໍ່ມີຄຳຖາມທີ່ຄາດໄວ້ຖືກຂ້າມ.",
		"+ ไม่มีคำถามที่คาดไว้ถูกข้าม",
		"+ 没有跳过任何预期的问题。" },
	[T_NO_EXTRA] = {
		"+ No indicator fired without support in the scenario.",
		"+ ບໍ່ມີຕົວຊີ້ວັດໃດເກີດຂຶ້ນໂດຍບໍ່ມີພື້ນຖານໃນສະຖານະການ.",
		"+ ไม่มีตัวบ่งชี้ใดขึ้นโดยไม่มีข้อมูลในสถานการณ์รองรับ",
		"+ 没有触发情景不支持的指标。" },
};

const char *
tt(const char *lang, enum ttext t)
{
	static const char *const codes[L__COUNT] = { "en", "lo", "th", "zh" };
	size_t l = L_EN;

	for (size_t i = 0; lang != NULL && i < L__COUNT; i++)
		if (strcmp(lang, codes[i]) == 0)
			l = i;
	if ((unsigned)t >= T__COUNT)
		return "";
	return texts[t][l] ? texts[t][l] : texts[t][L_EN];
}

void
sbuf_init(struct sbuf *b)
{
	memset(b, 0, sizeof *b);
}

void
sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed || s == NULL)
		return;
	/* The old buffer may hold answers: wiped as it grows. */
	if (wiped_grow(&b->s, &b->cap, b->len, b->len + n + 1, 64) != 0) {
		sbuf_free(b);
		b->failed = true;
		return;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sbuf_add(struct sbuf *b, const char *s)
{
	if (s != NULL)
		sbuf_addn(b, s, strlen(s));
}

void
sbuf_free(struct sbuf *b)
{
	if (b->s != NULL) {
		explicit_bzero(b->s, b->cap);
		free(b->s);
	}
	b->s = NULL;
	b->len = b->cap = 0;
}

enum status
tl_push_sbuf(struct training_lines *out, enum training_line_kind kind, struct sbuf *b)
{
	char *text;

	if (b->failed)
		return ST_NOMEM;
	if (out->n == out->cap) {
		size_t ncap = out->cap ? 2 * out->cap : 32;
		struct training_line *g = realloc(out->v, ncap * sizeof *g);

		if (g == NULL)
			return ST_NOMEM;
		out->v = g;
		out->cap = ncap;
	}
	if (b->s != NULL) {
		text = b->s;
		b->s = NULL;
		b->len = b->cap = 0;
	} else if ((text = strdup("")) == NULL) {
		return ST_NOMEM;
	}
	out->v[out->n].kind = kind;
	out->v[out->n].text = text;
	out->n++;
	return ST_OK;
}

void
training_lines_free(struct training_lines *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		explicit_bzero(l->v[i].text, strlen(l->v[i].text));
		free(l->v[i].text);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

void
answer_label(struct sbuf *b, const struct form *f, size_t q, const char *canon, size_t lang)
{
	int list = form_question_choices(f, q);
	const char *p = canon;
	bool first = true;

	if (list < 0) {
		sbuf_add(b, canon);
		return;
	}
	/* Canonical select answers are choice values separated by one space. */
	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		int c = form_choice_find(f, (size_t)list, p, n);

		if (n > 0) {
			if (!first)
				sbuf_add(b, "; ");
			if (c >= 0)
				sbuf_add(b, form_choice_label(f, (size_t)list, (size_t)c, lang));
			else
				sbuf_addn(b, p, n);
			first = false;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}
