/*
 * interview_text.c — the engine's own words (answer errors, the two special
 * answers) in the languages the bundled forms use: en, lo, th, zh. They
 * address the interviewer, so they follow the interviewer's language when
 * one is set (interview_set_msg_lang), else the interview's.
 */
#include <stdio.h>
#include <string.h>

#include "interview.h"
#include "interview_int.h"

static const char *const msg_langs[] = {"en", "lo", "th", "zh"};

static const char *const msgs[][IV_MSG__COUNT] = {
	{
		[IV_MSG_REQUIRED] = "An answer is needed. If the respondent will not or cannot answer, mark it declined or don't know.",
		[IV_MSG_NOT_INTEGER] = "Enter a whole number, like 25.",
		[IV_MSG_NOT_DECIMAL] = "Enter a number, like 2.5.",
		[IV_MSG_NUMBER_TOO_LONG] = "That number is too long (at most 15 digits).",
		[IV_MSG_NOT_DATE] = "Enter a real date as YYYY-MM-DD, like 2024-03-15.",
		[IV_MSG_TOO_LONG] = "Too long: {n} characters. The limit is {max}.",
		[IV_MSG_NOT_CHOICE] = "'{value}' is not one of the choices.",
		[IV_MSG_ONE_CHOICE] = "Choose only one answer.",
		[IV_MSG_NOT_YES_NO] = "Answer yes or no.",
		[IV_MSG_CONSTRAINT] = "This answer is not accepted here. Check it with the respondent.",
		[IV_MSG_BAD_TEXT] = "The text contains a control character or invalid bytes. Retype it.",
		[IV_MSG_NOTE] = "This is a note; it takes no answer.",
		[IV_MSG_CLOSED] = "This interview is closed; its answers can no longer change.",
		[IV_MSG_CONSENT_NEEDED] = "The respondent has not agreed to the interview.",
		[IV_MSG_DECLINED] = "Declined",
		[IV_MSG_DONT_KNOW] = "Don't know",
	},
	/* Lao, Thai and Chinese are draft translations awaiting review by the
	 * translators of the bundled forms. */
	{
		[IV_MSG_REQUIRED] = "ຕ້ອງມີຄຳຕອບ. ຖ້າຜູ້ຕອບບໍ່ຢາກຕອບ ຫຼື ຕອບບໍ່ໄດ້, ໃຫ້ໝາຍວ່າ ປະຕິເສດ ຫຼື ບໍ່ຮູ້.",
		[IV_MSG_NOT_INTEGER] = "ກະລຸນາໃສ່ຕົວເລກຖ້ວນ, ເຊັ່ນ 25.",
		[IV_MSG_NOT_DECIMAL] = "ກະລຸນາໃສ່ຕົວເລກ, ເຊັ່ນ 2.5.",
		[IV_MSG_NUMBER_TOO_LONG] = "ຕົວເລກຍາວເກີນໄປ (ບໍ່ເກີນ 15 ຫຼັກ).",
		[IV_MSG_NOT_DATE] = "ກະລຸນາໃສ່ວັນທີທີ່ມີຢູ່ແທ້ ແບບ YYYY-MM-DD, ເຊັ່ນ 2024-03-15.",
		[IV_MSG_TOO_LONG] = "ຍາວເກີນໄປ: {n} ຕົວອັກສອນ. ສູງສຸດ {max}.",
		[IV_MSG_NOT_CHOICE] = "'{value}' ບໍ່ແມ່ນໜຶ່ງໃນຕົວເລືອກ.",
		[IV_MSG_ONE_CHOICE] = "ກະລຸນາເລືອກພຽງຄຳຕອບດຽວ.",
		[IV_MSG_NOT_YES_NO] = "ກະລຸນາຕອບ ແມ່ນ ຫຼື ບໍ່.",
		[IV_MSG_CONSTRAINT] = "ຄຳຕອບນີ້ບໍ່ຖືກຍອມຮັບ. ກະລຸນາກວດສອບກັບຜູ້ຕອບ.",
		[IV_MSG_BAD_TEXT] = "ຂໍ້ຄວາມມີຕົວອັກສອນຄວບຄຸມ ຫຼື ໄບທີ່ບໍ່ຖືກຕ້ອງ. ກະລຸນາພິມໃໝ່.",
		[IV_MSG_NOTE] = "ນີ້ແມ່ນໝາຍເຫດ; ບໍ່ຕ້ອງຕອບ.",
		[IV_MSG_CLOSED] = "ການສຳພາດນີ້ປິດແລ້ວ; ບໍ່ສາມາດປ່ຽນຄຳຕອບໄດ້.",
		[IV_MSG_CONSENT_NEEDED] = "ຜູ້ຕອບຍັງບໍ່ໄດ້ຕົກລົງໃຫ້ສຳພາດ.",
		[IV_MSG_DECLINED] = "ປະຕິເສດ",
		[IV_MSG_DONT_KNOW] = "ບໍ່ຮູ້",
	},
	{
		[IV_MSG_REQUIRED] = "ต้องมีคำตอบ หากผู้ตอบไม่ต้องการหรือไม่สามารถตอบได้ ให้บันทึกว่า ปฏิเสธ หรือ ไม่ทราบ",
		[IV_MSG_NOT_INTEGER] = "กรุณาใส่จำนวนเต็ม เช่น 25",
		[IV_MSG_NOT_DECIMAL] = "กรุณาใส่ตัวเลข เช่น 2.5",
		[IV_MSG_NUMBER_TOO_LONG] = "ตัวเลขยาวเกินไป (ไม่เกิน 15 หลัก)",
		[IV_MSG_NOT_DATE] = "กรุณาใส่วันที่ที่มีอยู่จริงในรูปแบบ YYYY-MM-DD เช่น 2024-03-15",
		[IV_MSG_TOO_LONG] = "ยาวเกินไป: {n} ตัวอักษร จำกัดไว้ที่ {max}",
		[IV_MSG_NOT_CHOICE] = "'{value}' ไม่ใช่ตัวเลือกที่มีให้",
		[IV_MSG_ONE_CHOICE] = "กรุณาเลือกคำตอบเดียว",
		[IV_MSG_NOT_YES_NO] = "กรุณาตอบ ใช่ หรือ ไม่ใช่",
		[IV_MSG_CONSTRAINT] = "ไม่สามารถรับคำตอบนี้ได้ กรุณาตรวจสอบกับผู้ตอบ",
		[IV_MSG_BAD_TEXT] = "ข้อความมีอักขระควบคุมหรือไบต์ที่ไม่ถูกต้อง กรุณาพิมพ์ใหม่",
		[IV_MSG_NOTE] = "นี่คือหมายเหตุ ไม่ต้องตอบ",
		[IV_MSG_CLOSED] = "การสัมภาษณ์นี้ปิดแล้ว ไม่สามารถเปลี่ยนคำตอบได้",
		[IV_MSG_CONSENT_NEEDED] = "ผู้ตอบยังไม่ได้ยินยอมให้สัมภาษณ์",
		[IV_MSG_DECLINED] = "ปฏิเสธ",
		[IV_MSG_DONT_KNOW] = "ไม่ทราบ",
	},
	{
		[IV_MSG_REQUIRED] = "需要回答。如果受访者不愿或无法回答，请标记为“拒绝回答”或“不知道”。",
		[IV_MSG_NOT_INTEGER] = "请输入整数，例如 25。",
		[IV_MSG_NOT_DECIMAL] = "请输入数字，例如 2.5。",
		[IV_MSG_NUMBER_TOO_LONG] = "数字太长（最多 15 位）。",
		[IV_MSG_NOT_DATE] = "请按 YYYY-MM-DD 格式输入真实日期，例如 2024-03-15。",
		[IV_MSG_TOO_LONG] = "太长：{n} 个字符。上限为 {max}。",
		[IV_MSG_NOT_CHOICE] = "“{value}”不是可选项之一。",
		[IV_MSG_ONE_CHOICE] = "只能选择一个答案。",
		[IV_MSG_NOT_YES_NO] = "请回答“是”或“否”。",
		[IV_MSG_CONSTRAINT] = "此答案不被接受。请与受访者核实。",
		[IV_MSG_BAD_TEXT] = "文本包含控制字符或无效字节。请重新输入。",
		[IV_MSG_NOTE] = "这是说明，无需回答。",
		[IV_MSG_CLOSED] = "此访谈已结束，答案不能再更改。",
		[IV_MSG_CONSENT_NEEDED] = "受访者尚未同意接受访谈。",
		[IV_MSG_DECLINED] = "拒绝回答",
		[IV_MSG_DONT_KNOW] = "不知道",
	},
};

/* Message table row for a language code: "lo" and "lo-LA" both find Lao;
 * languages without a row get English. */
size_t
interview_text_row(const char *code)
{
	for (size_t i = 0; code && i < sizeof msg_langs / sizeof msg_langs[0]; i++) {
		size_t n = strlen(msg_langs[i]);

		if (strncmp(code, msg_langs[i], n) == 0 && (code[n] == '\0' || code[n] == '-'))
			return i;
	}
	return 0;
}

size_t
iv_msg_row(const struct interview *iv)
{
	return interview_text_row(iv->msg_lang[0] ? iv->msg_lang : form_lang_code(iv->f, iv->lang));
}

const char *
interview_msg(const struct interview *iv, enum iv_msg m)
{
	if ((unsigned)m >= IV_MSG__COUNT)
		return "";
	return msgs[iv_msg_row(iv)][m];
}

/* Writes template `m` of row `row` into buf, filling {n}, {max}, {value}. */
void
interview_text_fill(char *buf, size_t size, size_t row, enum iv_msg m, size_t n, size_t max,
    const char *value)
{
	const char *t = msgs[row][m];
	size_t o = 0;

	while (*t && o + 1 < size) {
		char num[32];
		const char *sub = NULL;
		size_t skip = 0;

		if (strncmp(t, "{n}", 3) == 0) {
			snprintf(num, sizeof num, "%zu", n);
			sub = num;
			skip = 3;
		} else if (strncmp(t, "{max}", 5) == 0) {
			snprintf(num, sizeof num, "%zu", max);
			sub = num;
			skip = 5;
		} else if (strncmp(t, "{value}", 7) == 0) {
			sub = value ? value : "";
			skip = 7;
		}
		if (sub) {
			size_t l = strlen(sub);

			if (l > size - 1 - o)
				l = size - 1 - o;
			memcpy(buf + o, sub, l);
			o += l;
			t += skip;
		} else {
			buf[o++] = *t++;
		}
	}
	buf[o] = '\0';
}

