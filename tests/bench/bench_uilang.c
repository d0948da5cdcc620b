/*
 * bench_uilang.c — what the interviewer's language costs: start-up to the
 * unlock screen and the bytes of the first paint, and of the case list
 * after the unlock, with the screens in Lao and Thai next to English in
 * the same run (runs interleaved, medians); and the line breaking that
 * wraps Lao text between words (ICU) against libunistring's UAX #14 on
 * the same text. Prints BENCH lines for tests/bench/report.sh; never
 * fails on a figure.
 *
 * The program runs on an 80x24 pseudo-terminal (TERM=xterm-256color,
 * LANG=C.UTF-8, INTAKE_LANG=lo|th|en); a screen is done when its text has
 * arrived and the program has then been quiet for QUIET_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unilbrk.h>
#include <unistd.h>

#include "form.h"
#include "linebreak.h"
#include "vault.h"

#define RUNS            15
#define QUIET_MS        50
#define WAIT_MS         15000
#define PASS            "bench passphrase"
#define WRAPS           2000

struct lang {
	const char *code, *unlock, *cases;       /* its words for the two screens */
	double start[RUNS];
	double paint[RUNS], list[RUNS];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct run {
	pid_t pid;
	int fd;
	char *seen;                     /* every byte so far, to find text in */
	size_t len, cap;
	double t_text;
};

/* Reads for up to ms; false when the program has gone. */
static bool
pump(struct run *r, int ms)
{
	struct pollfd pf = { .fd = r->fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (poll(&pf, 1, ms) <= 0)
		return true;
	if ((n = read(r->fd, buf, sizeof buf)) <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	if (r->len + (size_t)n > r->cap) {
		size_t cap = (r->len + (size_t)n) * 2;
		char *grown = realloc(r->seen, cap + 1);

		if (grown == NULL)
			return false;
		r->seen = grown;
		r->cap = cap;
	}
	memcpy(r->seen + r->len, buf, (size_t)n);
	r->len += (size_t)n;
	r->seen[r->len] = '\0';
	return true;
}

/* Waits for text (after byte `from`), then for quiet; -1 on a timeout. */
static bool
wait_screen(struct run *r, size_t from, const char *text)
{
	double end = now_ms() + WAIT_MS;
	size_t before;

	while (r->seen == NULL || memmem(r->seen + from, r->len - from, text, strlen(text)) == NULL) {
		if (now_ms() > end || !pump(r, 100))
			return false;
	}
	r->t_text = now_ms();
	do {
		before = r->len;
		if (!pump(r, QUIET_MS))
			break;
	} while (r->len != before);
	return true;
}

static bool
start(struct run *r, const char *intake, const char *vault, const char *code)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };

	memset(r, 0, sizeof *r);
	r->pid = forkpty(&r->fd, NULL, NULL, &ws);
	if (r->pid < 0)
		return false;
	if (r->pid == 0) {
		unsetenv("LC_ALL");
		unsetenv("LANGUAGE");
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("INTAKE_LANG", code, 1);
		setenv("INTAKE_IDLE_SECONDS", "3600", 1);
		execl(intake, intake, "--vault", vault, "--user", "ana", (char *)NULL);
		_exit(127);
	}
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	return true;
}

static void
stop(struct run *r)
{
	kill(r->pid, SIGTERM);
	waitpid(r->pid, NULL, 0);
	close(r->fd);
	free(r->seen);
}

/* One start: to the unlock screen, then the passphrase and the case list. */
static bool
once(struct lang *l, int i, const char *intake, const char *vault)
{
	struct run r;
	double t0 = now_ms();
	size_t mark = 0;
	bool ok = false;

	if (!start(&r, intake, vault, l->code))
		return false;
	if (!wait_screen(&r, 0, l->unlock))
		goto out;
	l->start[i] = r.t_text - t0;
	l->paint[i] = (double)r.len;
	mark = r.len;
	if (write(r.fd, PASS "\r", strlen(PASS) + 1) < 0 || !wait_screen(&r, mark, l->cases))
		goto out;
	l->list[i] = (double)(r.len - mark);
	ok = true;
out:
	if (!ok)
		fprintf(stderr, "bench_uilang: %s: \"%s\" did not appear\n", l->code,
		    mark > 0 ? l->cases : l->unlock);
	stop(&r);
	return ok;
}

static void
bench(const char *name, double fig, const char *unit, const char *base, double basev)
{
	char b[96] = "-", ratio[32] = "-";

	if (basev > 0) {
		snprintf(b, sizeof b, "%s %.1f", base, basev);
		snprintf(ratio, sizeof ratio, "%.2f", fig / basev);
	}
	printf("BENCH %s|%.1f|%s|%s|%s|-\n", name, fig, unit, b, ratio);
}

/* Wrapping the Lao label of every question of the rapid screen at 76
 * columns: ICU (linebreak_wrap) against libunistring's opportunities. */
static void
bench_wrap(const char *forms)
{
	char path[PATH_MAX + 64];
	struct form *f = NULL;
	struct linebreak *lb;
	double t0, t_first, t_icu, t_uni;
	size_t nq, total = 0;
	int lang;

	snprintf(path, sizeof path, "%s/screening-short.yaml", forms);
	if (form_load_file(path, &f, NULL) != ST_OK || (lang = form_lang_find(f, "lo")) < 0) {
		fprintf(stderr, "bench_uilang: cannot load %s\n", path);
		form_free(f);
		return;
	}
	nq = form_question_count(f);
	t0 = now_ms();
	lb = linebreak_new("");
	linebreak_wrap(lb, form_question_label(f, 0, (size_t)lang), 76, NULL, NULL);
	t_first = now_ms() - t0;
	t0 = now_ms();
	for (int k = 0; k < WRAPS; k++)
		for (size_t q = 0; q < nq; q++)
			total += (size_t)linebreak_wrap(lb, form_question_label(f, q, (size_t)lang), 76,
			    NULL, NULL);
	t_icu = (now_ms() - t0) * 1000.0 / (WRAPS * (double)nq);
	t0 = now_ms();
	for (int k = 0; k < WRAPS; k++)
		for (size_t q = 0; q < nq; q++) {
			const char *s = form_question_label(f, q, (size_t)lang);
			size_t n = strlen(s);
			char *brk = malloc(n + 1);

			if (brk != NULL) {
				u8_possible_linebreaks((const uint8_t *)s, n, "UTF-8", brk);
				total += (size_t)brk[n / 2];
				free(brk);
			}
		}
	t_uni = (now_ms() - t0) * 1000.0 / (WRAPS * (double)nq);
	printf("  (%zu Lao labels wrapped %d times; %zu)\n", nq, WRAPS, total % 10);
	bench("linebreak_first_use", t_first * 1000.0, "us", "-", -1);
	bench("linebreak_wrap_lao_label", t_icu, "us", "libunistring UAX #14 breaks alone", t_uni);
	linebreak_free(lb);
	form_free(f);
}

int
main(int argc, char **argv)
{
	struct lang langs[] = {
		{ "en", "Unlock the vault", "Start a new interview", { 0 }, { 0 }, { 0 } },
		{ "lo", "ປົດລັອກບ່ອນເກັບຂໍ້ມູນ", "ເລີ່ມການສຳພາດໃໝ່", { 0 }, { 0 }, { 0 } },
		{ "th", "ปลดล็อกคลังข้อมูล", "เริ่มการสัมภาษณ์ใหม่", { 0 }, { 0 }, { 0 } },
	};
	struct vault_kdf kdf = { 1, 8 };
	struct vault *v = vault_new();
	char intake[PATH_MAX], src[PATH_MAX + 16], dir[] = "/tmp/intake-bench-uilang.XXXXXX";
	char vault[sizeof dir + 8], cmd[PATH_MAX + 32], name[64];
	char *slash;
	int rc = 1;

	(void)argc;
	printf("== bench_uilang\n");
	signal(SIGPIPE, SIG_IGN);
	snprintf(intake, sizeof intake, "%s", argv[0]);
	if ((slash = strrchr(intake, '/')) == NULL)
		return 1;
	*slash = '\0';
	snprintf(src, sizeof src, "%s/../../forms", intake);
	strncat(intake, "/../intake", sizeof intake - strlen(intake) - 1);
	if (access(intake, X_OK) != 0 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_uilang: no program at %s; run `make bench`\n", intake);
		return 1;
	}
	snprintf(vault, sizeof vault, "%s/v", dir);
	if (v == NULL || vault_create(v, vault, "ana", PASS, strlen(PASS), &kdf) != ST_OK) {
		fprintf(stderr, "bench_uilang: cannot create a vault in %s\n", vault);
		goto out;
	}
	vault_close(v);
	v = NULL;
	/* Interleaved, so that a busy moment on the machine hits every language. */
	for (int i = 0; i < RUNS; i++)
		for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++)
			if (!once(&langs[k], i, intake, vault))
				goto out;
	printf("pseudo-terminal 80x24, %d starts per language, medians\n", RUNS);
	for (size_t k = 0; k < sizeof langs / sizeof langs[0]; k++) {
		double s = median(langs[k].start, RUNS), p = median(langs[k].paint, RUNS);
		double c = median(langs[k].list, RUNS);
		double s0 = median(langs[0].start, RUNS), p0 = median(langs[0].paint, RUNS);
		double c0 = median(langs[0].list, RUNS);

		printf("  %s: start-up %.1f ms, unlock screen %.0f B, case list %.0f B\n",
		    langs[k].code, s, p, c);
		if (k == 0)
			continue;
		snprintf(name, sizeof name, "tui_startup_%s", langs[k].code);
		bench(name, s, "ms", "English", s0);
		snprintf(name, sizeof name, "tui_first_paint_unlock_%s", langs[k].code);
		bench(name, p, "B", "English", p0);
		snprintf(name, sizeof name, "tui_first_paint_cases_%s", langs[k].code);
		bench(name, c, "B", "English", c0);
	}
	bench_wrap(src);
	rc = 0;
out:
	vault_close(v);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_uilang: could not remove %s\n", dir);
	return rc;
}
